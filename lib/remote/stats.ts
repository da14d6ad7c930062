/**
 * Per-remote counters kept in the cas-cache (`__cas_remote_stat`, schema v4), cumulative
 * across processes, and the record of quarantined downloads (`__cas_remote_quarantine`).
 * `cas stats` shows them.
 */
import type { CasConnection } from "../cas/connection.ts";

/** What one process counted for one remote. */
export interface Counters {
  hits: number;
  misses: number;
  bytesIn: number;
  bytesOut: number;
  uploads: number;
  errors: number;
  quarantined: number;
  lastError?: string;
}

/** Counters at zero. */
export function zeroCounters(): Counters {
  return { hits: 0, misses: 0, bytesIn: 0, bytesOut: 0, uploads: 0, errors: 0, quarantined: 0 };
}

/** A download that did not hash to its key, kept aside and never loaded. */
export interface QuarantineRecord {
  remote: string;
  url: string;
  expectedSha256: string;
  expectedBlake3?: string;
  foundSha256: string;
  foundBlake3: string;
  size: number;
  /** Where the bytes were kept, if they were. */
  file?: string;
}

/** A remote's cumulative counters as the cache keeps them. */
export interface RemoteStatRow extends Counters {
  remote: string;
  updatedAt: number;
}

/** Add `counters` to the cumulative rows and record quarantined downloads, in one transaction. */
export function saveCounters(
  cas: CasConnection,
  entries: ReadonlyArray<{ remote: string; counters: Counters }>,
  quarantined: readonly QuarantineRecord[] = [],
  now = Date.now(),
): void {
  const moved = entries.filter(({ counters: c }) =>
    c.hits + c.misses + c.bytesIn + c.bytesOut + c.uploads + c.errors + c.quarantined > 0
  );
  if (moved.length === 0 && quarantined.length === 0) return;
  cas.write(() => {
    const upsert = cas.db.prepare(
      `INSERT INTO __cas_remote_stat
         (remote, hits, misses, bytes_in, bytes_out, uploads, errors, quarantined, last_error, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
       ON CONFLICT(remote) DO UPDATE SET
         hits = hits + excluded.hits, misses = misses + excluded.misses,
         bytes_in = bytes_in + excluded.bytes_in, bytes_out = bytes_out + excluded.bytes_out,
         uploads = uploads + excluded.uploads, errors = errors + excluded.errors,
         quarantined = quarantined + excluded.quarantined,
         last_error = coalesce(excluded.last_error, last_error), updated_at = excluded.updated_at`,
    );
    for (const { remote, counters: c } of moved) {
      upsert.run(
        remote,
        c.hits,
        c.misses,
        c.bytesIn,
        c.bytesOut,
        c.uploads,
        c.errors,
        c.quarantined,
        c.lastError ?? null,
        now,
      );
    }
    const record = cas.db.prepare(
      `INSERT INTO __cas_remote_quarantine
         (remote, url, expected_sha256, expected_blake3, found_sha256, found_blake3, size, file, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const q of quarantined) {
      record.run(
        q.remote,
        q.url,
        q.expectedSha256,
        q.expectedBlake3 ?? null,
        q.foundSha256,
        q.foundBlake3,
        q.size,
        q.file ?? null,
        now,
      );
    }
  });
}

/** Every remote's cumulative counters, by remote URL. */
export function readRemoteStats(cas: CasConnection): RemoteStatRow[] {
  return cas.guard(() =>
    cas.db.prepare(
      `SELECT remote, hits, misses, bytes_in, bytes_out, uploads, errors, quarantined, last_error,
              updated_at
       FROM __cas_remote_stat ORDER BY remote`,
    ).all().map((r) => ({
      remote: String(r.remote),
      hits: Number(r.hits),
      misses: Number(r.misses),
      bytesIn: Number(r.bytes_in),
      bytesOut: Number(r.bytes_out),
      uploads: Number(r.uploads),
      errors: Number(r.errors),
      quarantined: Number(r.quarantined),
      lastError: r.last_error === null ? undefined : String(r.last_error),
      updatedAt: Number(r.updated_at),
    }))
  );
}
