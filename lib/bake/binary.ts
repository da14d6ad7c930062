/**
 * Baked binaries on disk and in the registry (SPEC §7, §6.2): a build is installed at
 * `<root>/builds/<set_hash>/<target>/sqlink[.exe]` under a verification stamp holding its
 * SHA-256, and recorded in `__cas_bundle_binary` only after that. A binary is *intact*
 * while its filesystem identity is the one stamped when it was installed: any write to it,
 * or its replacement, shows (see lib/ext/stamp.ts), and checking that costs one `stat`.
 */
import { dirname, join } from "../path.ts";
import { fsError, SqlinkError } from "../errors.ts";
import { ensurePrivateDir, readFull, removeQuietly } from "../fs.ts";
import { sql } from "../cas/statements.ts";
import type { CasConnection } from "../cas/connection.ts";
import { nodeCrypto } from "../cas/sha256.ts";
import { describeLibrary, HEADER_BYTES, isBuiltFor } from "../ext/header.ts";
import { stampPath, verifiedDigest, writeStamp } from "../ext/stamp.ts";
import type { Bundle } from "../bundle/registry.ts";
import { programName, type Target, targetBuild } from "./targets.ts";
import { setBuildDir } from "../paths.ts";

/** Where the binary of `setHash` for `target` lives. */
export function binaryPath(root: string, setHash: string, target: Target): string {
  return join(setBuildDir(root, setHash), target, programName(target));
}

/** What a bundle has for one target. */
export type BinaryStatus =
  | { state: "intact"; path: string; digest: string }
  | { state: "none" }
  | { state: "changed"; path: string };

/** The recorded binary of `bundle` for `target`, and whether it is intact. */
export function bundleBinary(bundle: Bundle, target: string): BinaryStatus {
  const row = bundle.binaries.find((b) => b.targetTriple === target);
  if (!row) return { state: "none" };
  const digest = binaryDigest(row.binaryPath);
  return digest
    ? { state: "intact", path: row.binaryPath, digest }
    : { state: "changed", path: row.binaryPath };
}

/**
 * An intact binary of `bundle`'s set for `target`, wherever one is: recorded for this
 * bundle, for another bundle of the same set, or installed in the set's build directory.
 */
export function findBuilt(
  cas: CasConnection,
  bundle: Bundle,
  target: Target,
  root: string,
): { path: string; digest: string } | undefined {
  const recorded = cas.guard(() =>
    sql(
      cas.db,
      `SELECT b.binary_path AS path FROM __cas_bundle_binary b
       JOIN __cas_bundle n ON n.id = b.bundle_id
       WHERE n.set_hash = ? AND b.target_triple = ?
       ORDER BY b.bundle_id = ? DESC, b.built_at DESC`,
    ).all(bundle.setHash, target, bundle.id).map((r) => String(r.path))
  );
  for (const path of [...recorded, binaryPath(root, bundle.setHash, target)]) {
    const digest = binaryDigest(path);
    if (digest) return { path, digest };
  }
  return undefined;
}

/** Record `path` as `bundle`'s binary for `target` (replacing an older record). */
export function recordBinary(
  cas: CasConnection,
  bundle: Bundle,
  target: Target,
  path: string,
  now = Date.now(),
): void {
  cas.write(() => {
    // The bundle may have been deleted while the build ran: then there is nothing to record.
    if (!sql(cas.db, `SELECT 1 FROM __cas_bundle WHERE id = ?`).get(bundle.id)) return;
    sql(
      cas.db,
      `INSERT INTO __cas_bundle_binary (bundle_id, target_triple, binary_path, built_at)
       VALUES (?, ?, ?, ?)
       ON CONFLICT (bundle_id, target_triple)
       DO UPDATE SET binary_path = excluded.binary_path, built_at = excluded.built_at`,
    ).run(bundle.id, target, path, now);
  });
}

/**
 * The digest an installed binary was stamped with, while it still holds it: by its stamp
 * alone when that is trusted, else by hashing it again (the first check after a build).
 */
function binaryDigest(path: string): string | undefined {
  return verifiedDigest(path, (p) => `sha256:${sha256File(p)}`);
}

/** SHA-256 hex of a file, read in pieces. */
export function sha256File(path: string): string {
  const hash = nodeCrypto().createHash("sha256");
  const file = Deno.openSync(path);
  try {
    const buf = new Uint8Array(1 << 20);
    for (;;) {
      const n = file.readSync(buf);
      if (n === null || n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    file.close();
  }
  return hash.digest("hex");
}

/**
 * Check that `temp` (what `deno compile` wrote) is a program for `target`, then move it to
 * `final` (0755, atomic rename) and stamp it (unless `stamp` is false: a release build
 * outside the cache). Returns its SHA-256.
 */
export function installBinary(
  temp: string,
  final: string,
  target: Target,
  { stamp = true }: { stamp?: boolean } = {},
): string {
  let head: Uint8Array;
  try {
    const file = Deno.openSync(temp);
    try {
      head = new Uint8Array(HEADER_BYTES);
      head = head.subarray(0, readFull(file, head));
    } finally {
      file.close();
    }
  } catch (err) {
    throw fsError(err, "read the compiled program", temp);
  }
  if (!isBuiltFor(head, targetBuild(target))) {
    throw new SqlinkError(
      "ECOMPILE",
      `deno compile wrote ${describeLibrary(head).description}, not a program for ${target}`,
      { hint: "Check the deno executable sqlink runs (SQLINK_DENO or PATH)" },
    );
  }
  const digest = sha256File(temp);
  try {
    if (Deno.build.os !== "windows") Deno.chmodSync(temp, 0o755);
    Deno.renameSync(temp, final);
  } catch (err) {
    throw fsError(err, "install the baked program at", final);
  }
  if (stamp) writeStamp(final, `sha256:${digest}`);
  return digest;
}

/** The directory a build of `setHash` for `target` is installed in, created 0700. */
export function ensureTargetDir(root: string, setHash: string, target: Target): string {
  const dir = dirname(binaryPath(root, setHash, target));
  ensurePrivateDir(dir);
  return dir;
}

/** Remove an installed binary and its stamp (a failed record); never throws. */
export function discardBinary(path: string): void {
  removeQuietly(path);
  removeQuietly(stampPath(path));
}
