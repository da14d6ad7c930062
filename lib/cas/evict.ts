/**
 * LRU eviction (SPEC §3.4): remove the least recently used artifacts that no saved bundle
 * references, with their URIs, until the stored total fits the cap. Pinned artifacts stay
 * even when they alone exceed it; the report says so.
 */
import { sql } from "./statements.ts";
import type { DatabaseSync } from "../db/database.ts";
import { deleteArtifacts } from "./artifact.ts";
import { recountStoredBytes, storedTotal } from "./total.ts";

/** What an eviction pass did and what is left. */
export interface EvictionReport {
  maxBytes: number;
  /** Artifacts removed, oldest use first. */
  evicted: Array<{ blake3: string; storedSize: number }>;
  freedBytes: number;
  /** Stored bytes left in the cache. */
  totalBytes: number;
  /** Stored bytes that bundles pin. */
  pinnedBytes: number;
  /** True when the cache is still over the cap (pinned bytes, or protected fresh puts). */
  overCap: boolean;
}

/** Sum of stored bytes of artifacts a bundle references. */
export function pinnedTotal(db: DatabaseSync): number {
  return Number(
    sql(
      db,
      `SELECT total(stored_size) AS n FROM __cas_artifact
       WHERE blake3 IN (SELECT content_hash FROM __cas_bundle_member)`,
    ).get()?.n ?? 0,
  );
}

/**
 * Evict down to `maxBytes`; the caller holds the write lock. `protect` lists artifacts this
 * very operation just stored, which must survive it even when they alone exceed the cap.
 * With `recount`, the stored total is counted from the rows (and corrected) first.
 */
export function evict(
  db: DatabaseSync,
  maxBytes: number,
  protect: ReadonlySet<string> = new Set(),
  recount = false,
): EvictionReport {
  let total = recount ? recountStoredBytes(db) : storedTotal(db);
  const evicted: EvictionReport["evicted"] = [];
  if (total > maxBytes) {
    const candidates = sql(
      db,
      `SELECT blake3, stored_size FROM __cas_artifact a
       WHERE NOT EXISTS (SELECT 1 FROM __cas_bundle_member m WHERE m.content_hash = a.blake3)
       ORDER BY last_used_at, rowid`,
    ).all();
    for (const row of candidates) {
      if (total <= maxBytes) break;
      const blake3 = String(row.blake3);
      if (protect.has(blake3)) continue;
      const storedSize = Number(row.stored_size);
      evicted.push({ blake3, storedSize });
      total -= storedSize;
    }
    deleteArtifacts(
      db,
      evicted.map((e) => e.blake3),
      evicted.reduce((n, e) => n + e.storedSize, 0),
    );
  }
  return {
    maxBytes,
    evicted,
    freedBytes: evicted.reduce((n, e) => n + e.storedSize, 0),
    totalBytes: total,
    pinnedBytes: pinnedTotal(db),
    overCap: total > maxBytes,
  };
}
