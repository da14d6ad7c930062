/** Rows of `__cas_artifact`: reading one, touching it, and deleting it with its parts. */
import { sql } from "./statements.ts";
import type { DatabaseSync } from "../db/database.ts";
import { addStoredBytes } from "./total.ts";

/** What the cas-cache knows about one artifact (its bytes are read separately). */
export interface ArtifactInfo {
  blake3: string;
  sha256: string;
  /** Raw size in bytes: the size of what `get` returns. */
  size: number;
  /** Bytes it takes in the cache, after compression. */
  storedSize: number;
  codec: string;
  /** 0 when the blob is stored inline, else the number of `__cas_chunk` rows. */
  chunks: number;
  createdAt: number;
  lastUsedAt: number;
}

/** The columns `toInfo` reads, for SELECTs that feed it. */
export const INFO_COLUMNS =
  "blake3, sha256, size, stored_size, codec, chunks, created_at, last_used_at";

/** Build an ArtifactInfo from a row selected with INFO_COLUMNS. */
export function toInfo(row: Record<string, unknown>): ArtifactInfo {
  return {
    blake3: String(row.blake3),
    sha256: String(row.sha256),
    size: Number(row.size),
    storedSize: Number(row.stored_size),
    codec: String(row.codec),
    chunks: Number(row.chunks),
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
  };
}

/** The artifact keyed by `blake3`, or undefined. */
export function getInfo(db: DatabaseSync, blake3: string): ArtifactInfo | undefined {
  const row = sql(db, `SELECT ${INFO_COLUMNS} FROM __cas_artifact WHERE blake3 = ?`).get(blake3);
  return row ? toInfo(row) : undefined;
}

/**
 * How old a recorded last use may grow before a new use writes it again. Eviction and
 * `bundle gc` need the order of last use, not its moment: recording it to the hour (as a
 * relatime mount keeps atime) makes every other use a read, so a launch writes nothing and a
 * burst of uses costs one write. Uses within the same hour may therefore evict in either order.
 */
export const USE_RESOLUTION_MS = 60 * 60 * 1000;

/** True when a last use recorded at `lastUsedAt` is too old to stand for a use at `now`. */
export function useIsStale(lastUsedAt: number, now: number): boolean {
  return lastUsedAt <= now - USE_RESOLUTION_MS || lastUsedAt > now;
}

/**
 * Record a use of the artifact at `now` (the LRU clock) unless a use within the last
 * USE_RESOLUTION_MS is recorded already; the caller holds the write lock.
 */
export function touchArtifact(db: DatabaseSync, blake3: string, now: number): void {
  sql(
    db,
    `UPDATE __cas_artifact SET last_used_at = ?1
     WHERE blake3 = ?2 AND (last_used_at <= ?1 - ?3 OR last_used_at > ?1)`,
  ).run(now, blake3, USE_RESOLUTION_MS);
}

/**
 * Remove an artifact, its chunks and every URI bound to it, and take its stored bytes off
 * the kept total; the caller holds the write lock. Returns the stored bytes removed.
 */
export function deleteArtifact(db: DatabaseSync, blake3: string): number {
  sql(db, `DELETE FROM __cas_chunk WHERE blake3 = ?`).run(blake3);
  sql(db, `DELETE FROM __cas_uri WHERE blake3 = ?`).run(blake3);
  const row = sql(db, `DELETE FROM __cas_artifact WHERE blake3 = ? RETURNING stored_size`).get(
    blake3,
  );
  const removed = Number(row?.stored_size ?? 0);
  addStoredBytes(db, -removed);
  return removed;
}

/**
 * Remove many artifacts with their chunks and URIs, as deleteArtifact does for one, in a few
 * set-wise statements: eviction of 10,000 artifacts one by one ran 40,000 statements.
 * `storedBytes` is what they hold together, taken off the kept total; the caller holds the
 * write lock.
 */
export function deleteArtifacts(db: DatabaseSync, blake3s: string[], storedBytes: number): void {
  if (blake3s.length === 0) return;
  const keys = JSON.stringify(blake3s);
  for (const table of ["__cas_chunk", "__cas_uri", "__cas_artifact"]) {
    sql(db, `DELETE FROM ${table} WHERE blake3 IN (SELECT value FROM json_each(?))`).run(keys);
  }
  addStoredBytes(db, -storedBytes);
}

/** True when a saved bundle references the artifact (so eviction must keep it). */
export function isPinned(db: DatabaseSync, blake3: string): boolean {
  return sql(db, `SELECT 1 FROM __cas_bundle_member WHERE content_hash = ? LIMIT 1`).get(
    blake3,
  ) !==
    undefined;
}
