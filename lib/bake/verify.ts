/**
 * `cas verify` for baked binaries under `<root>/builds/<set_hash>/<target>/` (SPEC §3.5):
 * each is hashed and compared with the digest stamped when it was installed, and each
 * recorded binary must exist. Repair removes bad binaries and the records that name them
 * (a launch then loads the members instead, and the next build bakes anew).
 */
import { join } from "node:path";
import type { CasConnection } from "../cas/connection.ts";
import { sql } from "../cas/statements.ts";
import { type BadCopy, entries } from "../ext/copies.ts";
import { verifiedDigest } from "../ext/stamp.ts";
import { discardBinary, sha256File } from "./binary.ts";

/** What checking the baked binaries found. */
export interface BuildsReport {
  checked: number;
  bad: BadCopy[];
}

const SET_HASH = /^[0-9a-f]{64}$/;
const PROGRAMS = new Set(["sqlink", "sqlink.exe"]);

/** Hash every baked binary under `root` and check the records; `repair` removes the bad. */
export function verifyBuilds(
  cas: CasConnection,
  root: string,
  options: { repair?: boolean } = {},
): BuildsReport {
  const builds = join(root, "builds");
  const found = new Set<string>();
  for (const set of entries(builds)) {
    if (!set.isDirectory || !SET_HASH.test(set.name)) continue;
    for (const target of entries(join(builds, set.name))) {
      if (!target.isDirectory) continue;
      for (const file of entries(join(builds, set.name, target.name))) {
        if (PROGRAMS.has(file.name)) found.add(join(builds, set.name, target.name, file.name));
      }
    }
  }
  const recorded = cas.guard(() =>
    sql(cas.db, `SELECT DISTINCT binary_path AS path FROM __cas_bundle_binary`).all()
      .map((r) => String(r.path))
  );
  const bad: BadCopy[] = [];
  for (const path of [...found].sort()) {
    if (verifiedDigest(path, (p) => `sha256:${sha256File(p)}`) === undefined) {
      bad.push({ path, reason: "it no longer holds the program that was baked" });
    }
  }
  for (const path of recorded) {
    if (!found.has(path)) {
      bad.push({ path, reason: "a bundle records it, but no baked binary is there" });
    }
  }
  if (options.repair && bad.length > 0) {
    cas.write(() => {
      for (const { path } of bad) {
        sql(cas.db, `DELETE FROM __cas_bundle_binary WHERE binary_path = ?`).run(path);
      }
    });
    // Only files found under builds/ are removed: a record may name any path.
    for (const { path } of bad) if (found.has(path)) discardBinary(path);
  }
  return { checked: found.size, bad };
}
