/**
 * The bundle registry (SPEC §6.2) in the cas-cache's `__cas_bundle*` tables: save, find,
 * list, delete and collect bundles. v1 naming: a name is taken by its first save; saving
 * the same set under it again is a no-op, a different set is an error.
 */
import type { DatabaseSync } from "../db/database.ts";
import { SqlinkError, UsageError } from "../errors.ts";
import { MAX_WHOLE } from "../numbers.ts";
import { sql } from "../cas/statements.ts";
import { touchArtifact, USE_RESOLUTION_MS, useIsStale } from "../cas/artifact.ts";
import type { CasConnection } from "../cas/connection.ts";
import { setHash } from "./set_hash.ts";
import { setBuildDir } from "../paths.ts";

/** One member as the manifest keeps it: identity plus how it is loaded. */
export interface BundleMember {
  extensionName: string;
  contentHash: string;
  /** Position in the load order, from 0. */
  loadOrder: number;
  /** The entry point given to `.load`, or null for SQLite's default. */
  entryPoint: string | null;
}

/** A baked binary recorded for a bundle (SPEC §7). */
export interface BundleBinary {
  targetTriple: string;
  binaryPath: string;
  builtAt: number;
}

/** A saved bundle with its members (in load order) and binaries. */
export interface Bundle {
  id: number;
  name: string;
  setHash: string;
  createdAt: number;
  lastUsedAt: number;
  members: BundleMember[];
  binaries: BundleBinary[];
}

/** What to save: the members in load order. */
export type NewMember = Omit<BundleMember, "loadOrder">;

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,99}$/;

/** Refuse a bundle name that would be awkward on a command line or in a file name. */
export function checkBundleName(name: string): string {
  if (!NAME.test(name)) {
    throw new UsageError(`"${name}" is not a valid bundle name`, {
      hint:
        "Use up to 100 letters, digits and _ . @ + -, starting with a letter, digit or _ (e.g. analytics-v2)",
    });
  }
  return name;
}

function bundleRow(db: DatabaseSync, row: Record<string, unknown>): Bundle {
  const id = Number(row.id);
  return {
    id,
    name: String(row.name),
    setHash: String(row.set_hash),
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
    members: sql(
      db,
      `SELECT extension_name, content_hash, load_order, entry_point FROM __cas_bundle_member
       WHERE bundle_id = ? ORDER BY load_order, extension_name`,
    ).all(id).map((m) => ({
      extensionName: String(m.extension_name),
      contentHash: String(m.content_hash),
      loadOrder: Number(m.load_order),
      entryPoint: m.entry_point === null ? null : String(m.entry_point),
    })),
    binaries: sql(
      db,
      `SELECT target_triple, binary_path, built_at FROM __cas_bundle_binary
       WHERE bundle_id = ? ORDER BY target_triple`,
    ).all(id).map((b) => ({
      targetTriple: String(b.target_triple),
      binaryPath: String(b.binary_path),
      builtAt: Number(b.built_at),
    })),
  };
}

const BUNDLE_COLUMNS = "id, name, set_hash, created_at, last_used_at";

/** The bundle called exactly `name` on `db`, or undefined. */
export function byName(db: DatabaseSync, name: string): Bundle | undefined {
  const row = sql(db, `SELECT ${BUNDLE_COLUMNS} FROM __cas_bundle WHERE name = ?`).get(name);
  return row ? bundleRow(db, row) : undefined;
}

/** Members whose blob the cas-cache does not hold. */
export function missingMembers(cas: CasConnection, members: readonly NewMember[]): NewMember[] {
  return cas.guard(() =>
    members.filter((m) =>
      !sql(cas.db, `SELECT 1 FROM __cas_artifact WHERE blake3 = ?`).get(m.contentHash)
    )
  );
}

/** The SHA-256 of each member's blob as recorded when the bundle was saved (by BLAKE3). */
export function memberSha256s(cas: CasConnection, bundle: Bundle): Map<string, string> {
  return cas.guard(() =>
    new Map(
      sql(
        cas.db,
        `SELECT content_hash, sha256 FROM __cas_bundle_member
         WHERE bundle_id = ? AND sha256 IS NOT NULL`,
      ).all(bundle.id).map((r) => [String(r.content_hash), String(r.sha256)]),
    )
  );
}

/** The error for members whose blobs are gone: every one named, and how to get them. */
export function missingBlobsError(what: string, missing: readonly NewMember[]): SqlinkError {
  const names = missing.map((m) => `${m.extensionName} (blake3 ${m.contentHash.slice(0, 12)}…)`);
  return new SqlinkError(
    "EMISSING",
    `${what}: ${
      missing.length === 1 ? "this member is" : `these ${missing.length} members are`
    } not in the cas-cache: ${names.join(", ")}`,
    {
      hint:
        "Get each one back: `.load` its file here, or `sqlink cas put FILE`, or import a bundle archive with `sqlink cas import FILE`, or configure a remote that holds it (`sqlink remote add NAME URL`) and `sqlink bundle pull NAME`",
      details: { missing: missing.map((m) => ({ name: m.extensionName, blake3: m.contentHash })) },
    },
  );
}

/**
 * Save `members` (in load order) as bundle `name`. Returns the bundle and whether it was
 * created (false: the name already holds exactly this set).
 */
export function saveBundle(
  cas: CasConnection,
  name: string,
  members: readonly NewMember[],
  now = Date.now(),
): { bundle: Bundle; created: boolean } {
  checkBundleName(name);
  setHash(members); // refuses a malformed set before its blobs are looked for
  const missing = missingMembers(cas, members);
  if (missing.length > 0) throw missingBlobsError(`Cannot save bundle "${name}"`, missing);
  return cas.write(() => insertBundle(cas.db, name, members, now));
}

/** The error for a name that already holds another set (v1: a name is taken by its first save). */
export function nameTakenError(
  existing: Bundle,
  attempted: string,
  hint =
    `Bundle names are taken by their first save: save under another name, or delete the old one first (\`sqlink bundle delete ${existing.name}\`, or \`.bundle delete ${existing.name}\` in the shell)`,
): SqlinkError {
  return new SqlinkError(
    "EEXIST",
    `Bundle "${existing.name}" already exists with a different set of extensions (${
      describeMembers(existing.members)
    }; set ${existing.setHash.slice(0, 12)}…)`,
    { hint, details: { existing: existing.setHash, attempted } },
  );
}

/**
 * Insert bundle `name` with `members` (in load order) inside the caller's write transaction
 * (saveBundle's, or an import's that also writes the blobs), with the v1 naming rule.
 */
export function insertBundle(
  db: DatabaseSync,
  name: string,
  members: readonly NewMember[],
  now = Date.now(),
): { bundle: Bundle; created: boolean } {
  checkBundleName(name);
  const hash = setHash(members);
  const existing = byName(db, name);
  if (existing) {
    if (existing.setHash === hash) return { bundle: existing, created: false };
    throw nameTakenError(existing, hash);
  }
  const id = Number(
    sql(
      db,
      `INSERT INTO __cas_bundle(name, set_hash, created_at, last_used_at) VALUES (?, ?, ?, ?)
       RETURNING id`,
    ).get(name, hash, now, now)!.id,
  );
  // The SHA-256 is the remote tier's key: kept with the member so that a blob lost later
  // can be fetched back (SPEC §10).
  const insert = sql(
    db,
    `INSERT INTO __cas_bundle_member
       (bundle_id, extension_name, content_hash, load_order, entry_point, sha256)
     VALUES (?1, ?2, ?3, ?4, ?5, (SELECT sha256 FROM __cas_artifact WHERE blake3 = ?3))`,
  );
  members.forEach((m, order) => {
    insert.run(id, m.extensionName, m.contentHash, order, m.entryPoint);
    // A launch skips members whose bundle's use is recent: they must be as recent.
    touchArtifact(db, m.contentHash, now);
  });
  return { bundle: byName(db, name)!, created: true };
}

/** `vec0, lines0` for an error message. */
export function describeMembers(members: readonly { extensionName: string }[]): string {
  return members.map((m) => m.extensionName).join(", ");
}

/**
 * The bundle `ref` names: a bundle name first, else a set_hash prefix of at least 4 hex
 * characters. Several names over one set are one set: the most recently used is returned.
 */
export function findBundle(cas: CasConnection, ref: string): Bundle {
  return cas.guard(() => {
    const db = cas.db;
    const named = byName(db, ref);
    if (named) return named;
    if (/^[0-9a-fA-F]{4,64}$/.test(ref)) {
      const hex = ref.toLowerCase();
      const rows = sql(
        db,
        `SELECT ${BUNDLE_COLUMNS} FROM __cas_bundle WHERE set_hash >= ? AND set_hash < ?
         ORDER BY last_used_at DESC, id`,
      ).all(hex, hex + "g");
      const sets = [...new Set(rows.map((r) => String(r.set_hash)))];
      if (sets.length === 1) return bundleRow(db, rows[0]);
      if (sets.length > 1) {
        throw new SqlinkError(
          "EAMBIGUOUS",
          `Bundle hash prefix "${ref}" is ambiguous: it matches ${sets.length} sets: ${
            sets.slice(0, 10).map((h) => h.slice(0, 16)).join(", ")
          }`,
          { hint: "Give more characters of the set hash, or the bundle's name" },
        );
      }
    }
    throw new SqlinkError(
      "ENOTFOUND",
      `Cannot open bundle "${ref}": no bundle has that name or hash prefix`,
      { hint: "List the saved bundles with `sqlink bundle list`" },
    );
  });
}

/** Every bundle, most recently used first. */
export function listBundles(cas: CasConnection): Bundle[] {
  return cas.readSnapshot(() =>
    sql(cas.db, `SELECT ${BUNDLE_COLUMNS} FROM __cas_bundle ORDER BY last_used_at DESC, name`)
      .all().map((row) => bundleRow(cas.db, row))
  );
}

/**
 * Record a use of the bundle and its members at `now`, for `bundle gc` and eviction, which
 * need the order of last use, not its moment (see USE_RESOLUTION_MS). A launch calls this:
 * when the bundle's recorded use is within the resolution it writes nothing (its members
 * were recorded with it, at its save or its last recorded use), and when another process
 * is writing it skips the write rather than wait. Returns true when it wrote.
 */
export function touchBundle(cas: CasConnection, bundle: Bundle, now = Date.now()): boolean {
  if (!useIsStale(bundle.lastUsedAt, now)) return false;
  const wrote = cas.writeIfFree(() => {
    sql(
      cas.db,
      `UPDATE __cas_bundle SET last_used_at = ?1
       WHERE id = ?2 AND (last_used_at <= ?1 - ?3 OR last_used_at > ?1)`,
    ).run(now, bundle.id, USE_RESOLUTION_MS);
    for (const m of bundle.members) touchArtifact(cas.db, m.contentHash, now);
    return true;
  });
  return wrote ?? false;
}

function removeRows(db: DatabaseSync, id: number): void {
  sql(db, `DELETE FROM __cas_bundle_member WHERE bundle_id = ?`).run(id);
  sql(db, `DELETE FROM __cas_bundle_binary WHERE bundle_id = ?`).run(id);
  sql(db, `DELETE FROM __cas_bundle WHERE id = ?`).run(id);
}

/** Baked binaries of sets no bundle names any more; removed after the rows are gone. */
function orphanBuildDirs(db: DatabaseSync, removed: readonly Bundle[], root: string): string[] {
  const sets = new Set(removed.map((b) => b.setHash));
  return [...sets].filter((hash) =>
    !sql(db, `SELECT 1 FROM __cas_bundle WHERE set_hash = ?`).get(hash)
  ).map((hash) => setBuildDir(root, hash));
}

/** Remove build directories; returns those that existed. */
function removeDirs(dirs: readonly string[]): string[] {
  return dirs.filter((dir) => {
    try {
      Deno.removeSync(dir, { recursive: true });
      return true;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return false;
      throw err;
    }
  });
}

/** What deleting bundles did. */
export interface DeleteOutcome {
  removed: Bundle[];
  /** Build directories removed with them (sets no remaining bundle names). */
  removedBuilds: string[];
}

/**
 * Delete the bundle called `name` (an exact name: a hash prefix could mean several). Its
 * blobs stay in the cache, evictable again unless another bundle pins them.
 */
export function deleteBundle(cas: CasConnection, name: string, root: string): DeleteOutcome {
  const outcome = cas.write(() => {
    const bundle = byName(cas.db, name);
    if (!bundle) {
      throw new SqlinkError(
        "ENOTFOUND",
        `Cannot delete bundle "${name}": no bundle has that name`,
        {
          hint: "List the saved bundles with `sqlink bundle list`",
        },
      );
    }
    removeRows(cas.db, bundle.id);
    return { removed: [bundle], removedBuilds: orphanBuildDirs(cas.db, [bundle], root) };
  });
  return { ...outcome, removedBuilds: removeDirs(outcome.removedBuilds) };
}

/** Which bundles `gcBundles` drops: all but the N most recently used, or unused since a time. */
export interface GcPolicy {
  keep?: number;
  olderThanMs?: number;
}

/** Drop old bundles and their builds; returns what went. */
export function gcBundles(
  cas: CasConnection,
  policy: GcPolicy,
  root: string,
  now = Date.now(),
): DeleteOutcome {
  if (policy.keep === undefined && policy.olderThanMs === undefined) {
    throw new UsageError("Say which bundles to drop: --keep N or --older-than AGE", {
      hint: "For example `.bundle gc --keep 5` or `.bundle gc --older-than 30d`",
    });
  }
  const outcome = cas.write(() => {
    const all = sql(
      cas.db,
      `SELECT ${BUNDLE_COLUMNS} FROM __cas_bundle ORDER BY last_used_at DESC, id DESC`,
    ).all().map((row) => bundleRow(cas.db, row));
    const removed = all.filter((bundle, rank) =>
      (policy.keep !== undefined && rank >= policy.keep) ||
      (policy.olderThanMs !== undefined && bundle.lastUsedAt < now - policy.olderThanMs)
    );
    for (const bundle of removed) removeRows(cas.db, bundle.id);
    return { removed, removedBuilds: orphanBuildDirs(cas.db, removed, root) };
  });
  return { ...outcome, removedBuilds: removeDirs(outcome.removedBuilds) };
}

const DURATION_UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * Parse an age such as `30d`, `12h`, `2w`, `90m` or `45s` into milliseconds; `what` names it
 * in errors. An age past 2^53-1 ms (some 285,000 years) is refused rather than rounded.
 */
export function parseAge(text: string, what = "age"): number {
  const match = /^\s*(\d+)\s*([smhdw])\s*$/i.exec(text);
  const hint =
    `Give a whole number with a unit: 45s, 90m, 12h, 30d or 2w (for example ${what} 30d)`;
  if (!match) {
    throw new UsageError(`Invalid ${what} "${text}": expected a whole number and s, m, h, d or w`, {
      hint,
    });
  }
  const ms = Number(match[1]) * DURATION_UNITS[match[2].toLowerCase()];
  if (!Number.isSafeInteger(ms)) {
    const days = Math.floor(MAX_WHOLE / DURATION_UNITS.d);
    throw new UsageError(`Invalid ${what} "${text}": expected an age of at most ${days}d`, {
      hint,
    });
  }
  return ms;
}
