/**
 * Bundle archives (SPEC §8, `cas export` / `cas import`): one portable file holding a bundle
 * and the blobs of its members, for sharing a set with another machine or a CI runner.
 *
 * An archive is a SQLite database with the cas-cache's own schema (any sqlite3 can look
 * inside), in rollback-journal mode so it is one self-contained file, marked in `__cas_meta`
 * with `archive_format` = `sqlink-bundle-archive`, `archive_version` = `1`, `created_at`
 * (ISO 8601) and, when signed, `signature` (signing.ts). It holds exactly one bundle with
 * its member rows, and one artifact per member.
 *
 * Export re-reads every blob verified and builds the file under a temporary name, renamed
 * into place only when complete. Import checks everything the file claims (format, version,
 * structure, set_hash, signature, every blob's hash) before it writes anything, then adds
 * the blobs, the bundle and `extension:<name>` URIs in one cas-cache transaction.
 */
import type { BundleMember } from "../registry.ts";

/** The `archive_format` mark in `__cas_meta`. */
export const ARCHIVE_FORMAT = "sqlink-bundle-archive";
/** The newest `archive_version` this build writes and reads. */
export const ARCHIVE_VERSION = 1;

/** A member as exported or imported, with the size of its bytes. */
export type SizedMember = BundleMember & { size: number };

/** What node:sqlite throws: a message and, for SQLite's own failures, its error code. */
export interface SqliteFailure {
  errcode?: number;
  message?: string;
}
