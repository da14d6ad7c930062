/**
 * Giving the space eviction freed back to the disk (SPEC §3.4). Deleting rows only moves
 * their pages to SQLite's free list, and the WAL that carried the deletes stays as large
 * as they were: without this, `cas gc` of most of a cache leaves the file at its old size
 * and a WAL beside it as large again.
 *
 * Caches created since schema v4 use `auto_vacuum = INCREMENTAL`, so free pages can be cut
 * off the end of the file in place (`PRAGMA incremental_vacuum`, which moves live pages
 * from the end into the holes). An older file can only switch with a `VACUUM` (a rewrite of
 * the whole file, through the WAL): `cas gc` does that once, when it has freed something;
 * a put never does. Then the WAL is checkpointed and truncated, if no reader is in the way.
 */
import type { DatabaseSync } from "../db/database.ts";
import { BUSY_TIMEOUT_MS, isBusy } from "./db.ts";

/** What reclaiming did. */
export interface ReclaimReport {
  /** Bytes of the database file and its WAL before and after. */
  beforeBytes: number;
  afterBytes: number;
  /** How free pages were returned: cut off in place, the whole file rewritten, or not. */
  vacuum: "incremental" | "full" | "none";
}

/** `auto_vacuum` = INCREMENTAL, as SQLite numbers it. */
const INCREMENTAL = 2;

/**
 * A put that evicted gives space back only when the free pages are at least this share of
 * the file: at the cap, the next puts reuse them, and moving pages for them would be waste.
 */
const PUT_RECLAIM_SHARE = 0.25;

function pragmaNumber(db: DatabaseSync, name: string): number {
  return Number(Object.values(db.prepare(`PRAGMA ${name}`).get() ?? {})[0] ?? 0);
}

/** Bytes of the cache file at `path` and its WAL. */
export function cacheFileBytes(path: string): number {
  let total = 0;
  for (const file of [path, `${path}-wal`]) {
    try {
      total += Deno.statSync(file).size;
    } catch {
      // No WAL (every connection closed), or an in-memory database.
    }
  }
  return total;
}

/**
 * Run `fn`, waiting for other writers up to the busy timeout or, without `wait`, not at
 * all; false when they kept the lock. Giving space back is never worth failing for: the
 * eviction before it has committed, and the next gc or evicting put tries again.
 */
function attempt(db: DatabaseSync, wait: boolean, fn: () => void): boolean {
  if (!wait) db.exec("PRAGMA busy_timeout = 0");
  try {
    fn();
    return true;
  } catch (err) {
    if (isBusy(err)) return false;
    throw err;
  } finally {
    if (!wait) db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

/**
 * Return free pages to the disk and truncate the WAL of the cache at `path`; outside any
 * transaction. `beforeBytes` is the size to report the change from (taken before the
 * eviction, whose deletes grow the WAL). `after` says who asks: `gc` always cuts free pages (and rewrites a file made
 * before incremental vacuum, once), a `put` only when they are a large share of the file,
 * and never waits for another process: it leaves the work to the next one.
 */
export function reclaim(
  db: DatabaseSync,
  path: string,
  after: "gc" | "put",
  beforeBytes = cacheFileBytes(path),
): ReclaimReport {
  const free = pragmaNumber(db, "freelist_count");
  const pages = pragmaNumber(db, "page_count");
  const incremental = pragmaNumber(db, "auto_vacuum") === INCREMENTAL;
  let vacuum: ReclaimReport["vacuum"] = "none";
  if (free > 0 && (after === "gc" || free >= pages * PUT_RECLAIM_SHARE)) {
    if (incremental) {
      // One row per freed page: exec would stop at the first and free one page.
      const cut = () => void db.prepare("PRAGMA incremental_vacuum").all();
      if (attempt(db, after === "gc", cut)) vacuum = "incremental";
    } else if (after === "gc") {
      // The one-time switch of a file made before schema v4; every gc after is incremental.
      const rewrite = () => db.exec("PRAGMA auto_vacuum = INCREMENTAL; VACUUM");
      if (attempt(db, true, rewrite)) vacuum = "full";
    }
  }
  // A put that left the pages free leaves the WAL too: at the cap every put evicts, and a
  // checkpoint each time would cost it two fsyncs (the WAL is cut back to WAL_SIZE_LIMIT
  // when it restarts). A reader on an older snapshot keeps the WAL: the next one cuts it.
  if (after === "gc" || vacuum !== "none") {
    attempt(db, false, () => db.exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  }
  return { beforeBytes, afterBytes: cacheFileBytes(path), vacuum };
}
