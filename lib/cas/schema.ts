/**
 * The cas-cache schema and its forward-only migrations (SPEC §3.1).
 *
 * - v1: `__cas_meta`, `__cas_artifact` (inline blobs, BLAKE3 key, SHA-256 mirror).
 * - v2: `__cas_uri`; artifacts gain a codec, a stored size, last use and chunked storage
 *   (`__cas_chunk`, for blobs too big to build as one row in memory).
 * - v3: the bundle registry: `__cas_bundle`, `__cas_bundle_member`, `__cas_bundle_binary`.
 * - v4: the stored total kept as artifacts come and go: `__cas_meta(key='stored_bytes')`
 *   (see toV4).
 * - v5: the remote tier (SPEC §10): `__cas_remote_stat` (cumulative per-remote counters),
 *   `__cas_remote_quarantine` (downloads that did not match their key), and each bundle
 *   member's SHA-256 (the remote's key), so a member whose blob is gone can be fetched back.
 * - v6: installed extensions (`sqlink ext add`): `__cas_ext_origin`, per extension name the
 *   source it was installed from, the version resolved, the exact origin of its blob and the
 *   blob's hashes, so `ext update`, `sqlink lock` and a re-fetch know where it came from.
 *
 * Every step is idempotent (`IF NOT EXISTS`, columns added only when missing); the opener
 * runs each in its own write transaction together with its version bump.
 */
import type { DatabaseSync } from "../db/database.ts";

/** The newest schema version this build reads and writes. */
export const SCHEMA_VERSION = 6;

function hasColumn(db: DatabaseSync, table: string, column: string): boolean {
  const rows = db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table);
  return rows.some((row) => row.name === column);
}

function addColumn(db: DatabaseSync, table: string, column: string, decl: string): void {
  if (!hasColumn(db, table, column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${decl}`);
}

function toV1(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS __cas_meta (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS __cas_artifact (
      blake3 TEXT PRIMARY KEY,
      sha256 TEXT NOT NULL,
      size INTEGER NOT NULL,
      data BLOB,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS __cas_artifact_sha256 ON __cas_artifact(sha256);
  `);
}

function toV2(db: DatabaseSync): void {
  addColumn(db, "__cas_artifact", "codec", "TEXT NOT NULL DEFAULT 'raw'");
  addColumn(db, "__cas_artifact", "stored_size", "INTEGER");
  addColumn(db, "__cas_artifact", "chunks", "INTEGER NOT NULL DEFAULT 0");
  addColumn(db, "__cas_artifact", "last_used_at", "INTEGER");
  db.exec(`
    UPDATE __cas_artifact SET stored_size = length(data) WHERE stored_size IS NULL;
    UPDATE __cas_artifact SET last_used_at = created_at WHERE last_used_at IS NULL;
    CREATE INDEX IF NOT EXISTS __cas_artifact_lru ON __cas_artifact(last_used_at);
    CREATE TABLE IF NOT EXISTS __cas_chunk (
      blake3 TEXT NOT NULL,
      seq INTEGER NOT NULL,
      codec TEXT NOT NULL DEFAULT 'raw',
      data BLOB NOT NULL,
      PRIMARY KEY (blake3, seq)
    );
    CREATE TABLE IF NOT EXISTS __cas_uri (
      uri TEXT PRIMARY KEY,
      blake3 TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      last_used_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS __cas_uri_blake3 ON __cas_uri(blake3);
  `);
}

function toV3(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS __cas_bundle (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      set_hash TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      last_used_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS __cas_bundle_set_hash ON __cas_bundle(set_hash);
    CREATE TABLE IF NOT EXISTS __cas_bundle_member (
      bundle_id INTEGER NOT NULL,
      extension_name TEXT NOT NULL,
      content_hash TEXT NOT NULL,
      load_order INTEGER NOT NULL DEFAULT 0,
      entry_point TEXT,
      PRIMARY KEY (bundle_id, extension_name)
    );
    CREATE INDEX IF NOT EXISTS __cas_bundle_member_hash ON __cas_bundle_member(content_hash);
    CREATE TABLE IF NOT EXISTS __cas_bundle_binary (
      bundle_id INTEGER NOT NULL,
      target_triple TEXT NOT NULL,
      binary_path TEXT NOT NULL,
      built_at INTEGER NOT NULL,
      PRIMARY KEY (bundle_id, target_triple)
    );
  `);
}

/** The `__cas_meta` key holding the sum of `stored_size` over `__cas_artifact`. */
export const STORED_BYTES_KEY = "stored_bytes";

/**
 * The stored total, kept as artifacts come and go. Every put checks the cap against it, and
 * summing `stored_size` reads every artifact row: a whole cache of small blobs, once per put
 * whenever another process had written since (8 writers took 7-10× one writer's time). The
 * code that inserts and deletes artifacts adjusts it in the same transaction, once per
 * transaction (a trigger would cost each insert a statement journal of a 64 KiB page, ~30
 * µs, halving the speed of small puts); `cas gc` counts again and corrects it, so a change
 * made by hand with sqlite3 lasts only until then.
 */
function toV4(db: DatabaseSync): void {
  db.exec(`
    INSERT INTO __cas_meta(key, value)
    VALUES ('${STORED_BYTES_KEY}', (SELECT coalesce(sum(stored_size), 0) FROM __cas_artifact))
    ON CONFLICT(key) DO UPDATE SET value = excluded.value;
  `);
}

// A step of its own, appended: other work may append further steps after it.
function toV5(db: DatabaseSync): void {
  addColumn(db, "__cas_bundle_member", "sha256", "TEXT");
  db.exec(`
    UPDATE __cas_bundle_member
      SET sha256 = (SELECT a.sha256 FROM __cas_artifact a WHERE a.blake3 = content_hash)
      WHERE sha256 IS NULL;
    CREATE TABLE IF NOT EXISTS __cas_remote_stat (
      remote TEXT PRIMARY KEY,
      hits INTEGER NOT NULL DEFAULT 0,
      misses INTEGER NOT NULL DEFAULT 0,
      bytes_in INTEGER NOT NULL DEFAULT 0,
      bytes_out INTEGER NOT NULL DEFAULT 0,
      uploads INTEGER NOT NULL DEFAULT 0,
      errors INTEGER NOT NULL DEFAULT 0,
      quarantined INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      updated_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS __cas_remote_quarantine (
      id INTEGER PRIMARY KEY,
      remote TEXT NOT NULL,
      url TEXT NOT NULL,
      expected_sha256 TEXT NOT NULL,
      found_sha256 TEXT NOT NULL,
      found_blake3 TEXT NOT NULL,
      expected_blake3 TEXT,
      size INTEGER NOT NULL,
      file TEXT,
      at INTEGER NOT NULL
    );
  `);
}

// A step of its own, appended: other work may append further steps after it.
function toV6(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS __cas_ext_origin (
      name TEXT PRIMARY KEY,
      source TEXT NOT NULL,
      version TEXT,
      origin TEXT NOT NULL,
      blake3 TEXT NOT NULL,
      sha256 TEXT NOT NULL,
      size INTEGER NOT NULL,
      installed_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS __cas_ext_origin_blake3 ON __cas_ext_origin(blake3);
  `);
}

/** Migration steps: `MIGRATIONS[n]` takes a database from version n to n + 1. */
export const MIGRATIONS: ReadonlyArray<(db: DatabaseSync) => void> = [
  toV1,
  toV2,
  toV3,
  toV4,
  toV5,
  toV6,
];

/**
 * What a database holds, as far as the cas-cache is concerned:
 * - `empty`: nothing at all (no table, index, view or trigger, no user_version or
 *   application_id): a new file, or one another process is creating right now, which
 *   sqlink may initialise;
 * - `versioned`: `__cas_meta` records a schema version;
 * - `unversioned`: it holds something, but no version row: another program's database, or
 *   one sqlink did not make, which it must not adopt (`why` says what was found);
 * - `malformed`: the version row holds something that is not a version number.
 */
export type SchemaState =
  | { kind: "empty" }
  | { kind: "versioned"; version: number }
  | { kind: "unversioned"; why: string }
  | { kind: "malformed"; value: string };

/** Read what `db` holds (see SchemaState); only reads, so a refused file stays as it was. */
export function readSchemaState(db: DatabaseSync): SchemaState {
  const objects = db.prepare(`SELECT type, name FROM sqlite_schema ORDER BY rowid`).all();
  if (objects.length === 0) {
    const user = Number(db.prepare(`PRAGMA user_version`).get()?.user_version ?? 0);
    const app = Number(db.prepare(`PRAGMA application_id`).get()?.application_id ?? 0);
    if (user === 0 && app === 0) return { kind: "empty" };
    return {
      kind: "unversioned",
      why: `it has no tables, but another program set its ${
        user !== 0 ? "user_version" : "application_id"
      }`,
    };
  }
  const tables = objects.filter((o) => o.type === "table").map((o) => String(o.name));
  if (!tables.includes("__cas_meta")) {
    const ours = tables.some((name) => name.startsWith("__cas_"));
    const theirs = tables.find((name) => !name.startsWith("__cas_") && !name.startsWith("sqlite_"));
    return {
      kind: "unversioned",
      why: ours
        ? "it has cas-cache tables, but no __cas_meta table recording their schema version"
        : theirs === undefined
        ? "it holds no sqlink tables"
        : `it holds another program's tables, such as "${theirs}"`,
    };
  }
  if (!hasColumn(db, "__cas_meta", "key") || !hasColumn(db, "__cas_meta", "value")) {
    return { kind: "unversioned", why: "its __cas_meta table is not sqlink's" };
  }
  const row = db.prepare(`SELECT value FROM __cas_meta WHERE key = 'schema_version'`).get();
  if (!row) return { kind: "unversioned", why: "its __cas_meta table has no schema_version row" };
  const value = String(row.value);
  // Number() would take "", " 3", "0x3" and "3.0" for versions: only plain digits are one.
  if (!/^[1-9][0-9]{0,8}$/.test(value)) return { kind: "malformed", value };
  return { kind: "versioned", version: Number(value) };
}
