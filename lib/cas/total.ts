/**
 * The stored total (SPEC §3.4's cap is on it), kept in `__cas_meta(key='stored_bytes')`
 * since schema v4 so that a put reads one row instead of summing every artifact. Whatever
 * inserts or deletes artifacts adjusts it in the same transaction.
 */
import { sql } from "./statements.ts";
import type { DatabaseSync } from "../db/database.ts";
import { STORED_BYTES_KEY } from "./schema.ts";

/** Sum of stored bytes of every artifact, as the cache keeps it (schema v4: one row read). */
export function storedTotal(db: DatabaseSync): number {
  return Number(
    sql(db, `SELECT value FROM __cas_meta WHERE key = '${STORED_BYTES_KEY}'`).get()?.value ?? 0,
  );
}

/** Add `delta` to the kept stored total; the caller holds the write lock. */
export function addStoredBytes(db: DatabaseSync, delta: number): void {
  if (delta === 0) return;
  sql(db, `UPDATE __cas_meta SET value = value + ? WHERE key = '${STORED_BYTES_KEY}'`).run(delta);
}

/**
 * Count the stored total again from every row and keep that (`cas gc`, which reads every
 * row anyway): it corrects a total that rows changed by hand put out of step.
 */
export function recountStoredBytes(db: DatabaseSync): number {
  const total = Number(
    sql(db, `SELECT coalesce(sum(stored_size), 0) AS n FROM __cas_artifact`).get()!.n,
  );
  sql(db, `UPDATE __cas_meta SET value = ? WHERE key = '${STORED_BYTES_KEY}'`).run(total);
  return total;
}
