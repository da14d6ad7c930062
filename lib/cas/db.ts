/**
 * Opening the cas-cache database (SPEC §3): refuse what is not ours, switch to WAL with a
 * 15 s busy timeout, migrate forward one transaction per step, and run writes under
 * `BEGIN IMMEDIATE` so concurrent processes serialize instead of deadlocking.
 */
import type { DatabaseSync } from "../db/database.ts";
import { openNodeDatabase } from "../db/node.ts";
import { dirname } from "../path.ts";
import { fsError, SqlinkError } from "../errors.ts";
import { ensurePrivateDir } from "../fs.ts";
import { MIGRATIONS, readSchemaState, SCHEMA_VERSION, type SchemaState } from "./schema.ts";

/** How long a writer waits for another process's write transaction. */
export const BUSY_TIMEOUT_MS = 15_000;

const SQLITE_HEADER = "SQLite format 3\0";

/** Bytes a WAL is truncated to when it restarts after a checkpoint. */
const WAL_SIZE_LIMIT = 16 * 1024 * 1024;

interface SqliteFailure {
  errcode?: number;
  errstr?: string;
  message?: string;
}

/** Translate a node:sqlite error about the cas-cache at `path` into a SqlinkError. */
export function sqliteError(err: unknown, path: string): SqlinkError {
  if (err instanceof SqlinkError) return err;
  const failure = (err ?? {}) as SqliteFailure;
  const code = (failure.errcode ?? -1) & 0xff;
  const message = failure.message ?? String(err);
  if (code === 6) {
    return new SqlinkError("ELOCKED", `The cas-cache "${path}" is locked by another connection`, {
      hint: "Wait for the other sqlink process to finish, then try again",
      cause: err,
    });
  }
  if (isBusy(err)) {
    return new SqlinkError(
      "ELOCKED",
      `The cas-cache "${path}" stayed locked by another process for ${BUSY_TIMEOUT_MS / 1000} s`,
      { hint: "Wait for the other sqlink process to finish, then try again", cause: err },
    );
  }
  if (code === 13 || /database or disk is full/.test(message)) {
    return new SqlinkError("ENOSPC", `The disk holding the cas-cache "${path}" is full`, {
      hint: "Free some space, or lower the cap and run `sqlink cas gc`",
      cause: err,
    });
  }
  if (code === 8 || code === 14 || /readonly|unable to open/.test(message)) {
    return new SqlinkError("EACCES", `Cannot write to the cas-cache "${path}": ${message}`, {
      hint: "Make its directory writable, or point SQLINK_CACHE_DIR or --cas somewhere writable",
      cause: err,
    });
  }
  if (code === 26) return notADatabase(path, err);
  if (code === 11) {
    return new SqlinkError("ECORRUPT", `The cas-cache "${path}" is damaged: ${message}`, {
      hint: "Move the file aside; sqlink will start a fresh cache",
      cause: err,
    });
  }
  return new SqlinkError("ESQLITE", `The cas-cache "${path}" failed: ${message}`, { cause: err });
}

function notADatabase(path: string, cause?: unknown): SqlinkError {
  return new SqlinkError(
    "ENOTDB",
    `Cannot open the cas-cache "${path}": it is not a SQLite database`,
    {
      hint: "Point --cas or SQLINK_CAS at a cas-cache file, or at a path that does not exist yet",
      cause,
    },
  );
}

/**
 * Read the first bytes of `path` to refuse anything that is not a SQLite file, unopened.
 * Returns whether the file exists.
 */
function checkHeader(path: string): boolean {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw fsError(err, "open the cas-cache", path);
  }
  if (info.isDirectory) {
    throw new SqlinkError("EISDIR", `Cannot open the cas-cache "${path}": it is a directory`, {
      hint: "Point --cas or SQLINK_CAS at a file inside that directory",
    });
  }
  if (info.size === 0) return true;
  const head = new Uint8Array(16);
  let file: Deno.FsFile | undefined;
  try {
    file = Deno.openSync(path, { read: true });
    const n = file.readSync(head) ?? 0;
    if (n < 16 || new TextDecoder().decode(head) !== SQLITE_HEADER) throw notADatabase(path);
  } catch (err) {
    throw fsError(err, "open the cas-cache", path);
  } finally {
    file?.close();
  }
  return true;
}

/**
 * Create the cache file 0600 if it is missing, before SQLite opens it: SQLite would create
 * it with the umask's mode (0644 for most), and it gives the `-wal` and `-shm` it creates
 * later the main file's permissions. A zero-length file is what sqlink initialises, so a
 * process that loses the race to create it opens the winner's file just the same.
 */
function createPrivateFile(path: string): void {
  try {
    Deno.openSync(path, { write: true, createNew: true, mode: 0o600 }).close();
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) return;
    if (err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotCapable) {
      throw new SqlinkError(
        "EACCES",
        `Cannot write to the cas-cache "${path}": permission denied`,
        {
          hint:
            "Make its directory writable, or point SQLINK_CACHE_DIR or --cas somewhere writable",
          cause: err,
        },
      );
    }
    throw fsError(err, "create the cas-cache", path);
  }
}

/**
 * Take group and other permissions off a cache file made before sqlink created them 0600
 * (SQLite recreates `-wal` and `-shm` with the main file's mode, so that is the one that
 * matters). Best effort: a file owned by someone else keeps its mode.
 */
function tightenModes(path: string): void {
  if (Deno.build.os === "windows") return;
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      const mode = Deno.statSync(file).mode;
      if (mode !== null && (mode & 0o077) !== 0) Deno.chmodSync(file, mode & 0o700);
    } catch {
      // Gone (another process closed the last connection), or not ours to change.
    }
  }
}

/** Run `fn` in a `BEGIN IMMEDIATE` transaction: commit on return, roll back on throw. */
export function immediate<T>(db: DatabaseSync, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  return commitOrRollBack(db, fn);
}

/** Run `fn` inside the transaction just begun: commit on return, roll back on throw. */
function commitOrRollBack<T>(db: DatabaseSync, fn: () => T): T {
  let result: T;
  try {
    result = fn();
  } catch (err) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw err;
  }
  db.exec("COMMIT");
  return result;
}

/**
 * Run `fn` in a `BEGIN IMMEDIATE` transaction only if no other connection is writing: when
 * one is, give up at once and return undefined instead of waiting out the busy timeout.
 * For writes that may be skipped, such as recording a use, which a launch must not wait for.
 */
export function immediateIfFree<T>(db: DatabaseSync, fn: () => T): T | undefined {
  db.exec("PRAGMA busy_timeout = 0");
  try {
    db.exec("BEGIN IMMEDIATE");
  } catch (err) {
    if (isBusy(err)) return undefined;
    throw err;
  } finally {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
  return commitOrRollBack(db, fn);
}

/** Run `fn` in a read transaction, so every query in it sees one snapshot. */
export function snapshot<T>(db: DatabaseSync, fn: () => T): T {
  if (db.isTransaction) return fn();
  db.exec("BEGIN");
  try {
    return fn();
  } finally {
    if (db.isTransaction) db.exec("COMMIT");
  }
}

/**
 * The schema version of a database in `state`, 0 for an empty one sqlink may initialise;
 * anything else is refused: a database without a version row is not adopted, whatever
 * tables it has, and a version newer than this build is not touched.
 */
function acceptedVersion(path: string, state: SchemaState): number {
  switch (state.kind) {
    case "empty":
      return 0;
    case "versioned":
      if (state.version > SCHEMA_VERSION) throw refuseNewer(path, state.version);
      return state.version;
    case "malformed":
      throw new SqlinkError(
        "ESCHEMA",
        `Cannot open the cas-cache "${path}": its schema version ${
          JSON.stringify(state.value)
        } is not a version number`,
        {
          hint:
            "Move the file aside (sqlink will start a fresh cache), or point --cas or SQLINK_CAS at another cache file",
        },
      );
    case "unversioned":
      throw new SqlinkError(
        "ENOTCAS",
        `Cannot open the cas-cache "${path}": it is a SQLite database, but not a sqlink cas-cache (${state.why})`,
        {
          hint:
            "Point --cas or SQLINK_CAS at a cas-cache file, or at a path that does not exist yet: sqlink initialises only new, empty files",
        },
      );
  }
}

function refuseNewer(path: string, version: number): SqlinkError {
  return new SqlinkError(
    "ESCHEMA",
    `Cannot open the cas-cache "${path}": its schema version ${version} is newer than this sqlink supports (${SCHEMA_VERSION})`,
    { hint: "Upgrade sqlink, or point --cas or SQLINK_CAS at another cache file" },
  );
}

/** How to open a database with the cas-cache schema. */
export interface OpenOptions {
  /**
   * True (the default) for the cas-cache itself (SPEC §2): its folder must be private
   * (created 0700 when missing, refused when others can write to it), and its files are
   * 0600. False for a bundle archive being built: a file the user shares, written under
   * an unguessable temporary name (so no journal can be planted for it) in a folder of
   * their choosing, with the mode their umask gives any file they write.
   */
  private?: boolean;
}

/**
 * Open (creating if needed) the cas-cache at `path`, migrated to SCHEMA_VERSION.
 * A file that is not a SQLite database, a foreign SQLite database, or a newer schema is
 * refused before anything is written.
 */
export function openCasDatabase(path: string, options: OpenOptions = {}): DatabaseSync {
  const isPrivate = options.private ?? true;
  const existed = checkHeader(path);
  if (isPrivate) {
    ensurePrivateDir(dirname(path));
    // A file that is already there keeps its mode until tightenModes (an exception from
    // a create that finds it costs a launch more than the stat that saw it).
    if (!existed) createPrivateFile(path);
  }
  let db: DatabaseSync;
  try {
    db = openNodeDatabase(path, { timeout: BUSY_TIMEOUT_MS, enableForeignKeyConstraints: false });
  } catch (err) {
    throw sqliteError(err, path);
  }
  try {
    retryWhileBusy(() => prepare(db, path));
    if (isPrivate) tightenModes(path);
    return db;
  } catch (err) {
    db.close();
    throw sqliteError(err, path);
  }
}

/** True when `err` is SQLite's SQLITE_BUSY: another connection holds the lock. */
export function isBusy(err: unknown): boolean {
  const code = ((err as SqliteFailure)?.errcode ?? -1) & 0xff;
  return code === 5 || /database is locked/.test(String((err as SqliteFailure)?.message));
}

/**
 * Run `fn` again while SQLite answers SQLITE_BUSY without waiting, as it does when two
 * processes create the same cache at once (switching to WAL, recovering a hot journal),
 * up to the busy timeout. Every step of `fn` is idempotent.
 */
function retryWhileBusy(fn: () => void): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      return fn();
    } catch (err) {
      if (!isBusy(err) || Date.now() >= deadline) throw err;
      Atomics.wait(pause, 0, 0, 20 + Math.random() * 30);
    }
  }
}

/**
 * SCHEMA_VERSION when the version row says so, else undefined: the one query a launch
 * needs for a cache that is up to date (readSchemaState, which tells every other case
 * apart, costs several). A table with that row is what readSchemaState accepts too.
 */
function currentVersion(db: DatabaseSync): number | undefined {
  try {
    const row = db.prepare(`SELECT value FROM __cas_meta WHERE key = 'schema_version'`).get();
    return row?.value === String(SCHEMA_VERSION) ? SCHEMA_VERSION : undefined;
  } catch {
    return undefined; // No such table, or not a database: readSchemaState says which.
  }
}

/**
 * Check what the file holds, switch it to WAL and migrate it. Exported for a connection
 * opened by another driver (the browser's sqlite-wasm, lib/web/), whose file checks differ.
 */
export function prepare(db: DatabaseSync, path: string): void {
  // Checked before anything is written; migrateStepwise checks again under the write lock.
  const version = currentVersion(db) ?? acceptedVersion(path, readSchemaState(db));
  // Big pages for a new cache: blobs span far fewer pages, which halves the cost of a
  // small put (measured in `deno task bench`). Incremental vacuum, so that eviction can
  // give space back without rewriting the file (lib/cas/reclaim.ts). Both only possible
  // before the first table.
  if (version === 0) db.exec("PRAGMA page_size = 65536; PRAGMA auto_vacuum = INCREMENTAL");
  // A WAL that a big put or an eviction grew is cut back to this when it next restarts,
  // instead of keeping its largest size for as long as any connection is open.
  db.exec(
    `PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
     PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT}`,
  );
  if (version < SCHEMA_VERSION) migrateStepwise(db, path);
}

/** One transaction per step; the version is re-read under the lock, so racing opens agree. */
function migrateStepwise(db: DatabaseSync, path: string): void {
  for (;;) {
    const done = immediate(db, () => {
      const version = acceptedVersion(path, readSchemaState(db));
      if (version === SCHEMA_VERSION) return true;
      MIGRATIONS[version](db);
      db.prepare(
        `INSERT INTO __cas_meta(key, value) VALUES ('schema_version', ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      ).run(String(version + 1));
      return false;
    });
    if (done) return;
  }
}
