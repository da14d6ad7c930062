/** URIs (SPEC §3.3): loose, many-to-one handles onto artifacts, e.g. `extension:vec0`. */
import { sql } from "./statements.ts";
import type { DatabaseSync } from "../db/database.ts";
import { SqlinkError } from "../errors.ts";
import { touchArtifact, USE_RESOLUTION_MS, useIsStale } from "./artifact.ts";
import { checkUri } from "./refs.ts";
import { checkExtensionName } from "../ext/name.ts";

const EXTENSION_SCHEME = "extension:";

/** One URI binding. */
export interface UriBinding {
  uri: string;
  blake3: string;
  createdAt: number;
  lastUsedAt: number;
}

function toBinding(row: Record<string, unknown>): UriBinding {
  return {
    uri: String(row.uri),
    blake3: String(row.blake3),
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
  };
}

/**
 * Bind `uri` to the artifact (rebinding it if it pointed elsewhere) and touch both.
 * Returns the artifact it pointed to before, if any. The caller holds the write lock.
 */
export function bindUri(
  db: DatabaseSync,
  uri: string,
  blake3: string,
  now: number,
): string | undefined {
  checkUri(uri);
  // `extension:NAME` names a file under ext/ and in baked programs: hold it to the name rule.
  if (uri.startsWith(EXTENSION_SCHEME)) {
    checkExtensionName(uri.slice(EXTENSION_SCHEME.length), `Cannot bind "${uri}"`, {
      exitCode: 2,
    });
  }
  const before = sql(db, `SELECT blake3 FROM __cas_uri WHERE uri = ?`).get(uri);
  sql(
    db,
    `INSERT INTO __cas_uri(uri, blake3, created_at, last_used_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(uri) DO UPDATE SET blake3 = excluded.blake3, last_used_at = excluded.last_used_at`,
  ).run(uri, blake3, now, now);
  touchArtifact(db, blake3, now);
  return before ? String(before.blake3) : undefined;
}

function unknownUri(uri: string): SqlinkError {
  return new SqlinkError("ENOTFOUND", `No artifact is bound to the URI "${uri}"`, {
    hint: "List the known URIs with `sqlink cas uri ls`",
  });
}

/** Where a URI points, and the last uses recorded for it and for its artifact. */
export interface UriTarget {
  blake3: string;
  uriUsedAt: number;
  /** Undefined when the artifact is gone (a dangling binding). */
  artifactUsedAt?: number;
}

/** The artifact `uri` points to, with the recorded uses; unknown → ENOTFOUND. Only reads. */
export function lookupUri(db: DatabaseSync, uri: string): UriTarget {
  const row = sql(
    db,
    `SELECT u.blake3, u.last_used_at AS uri_used, a.last_used_at AS artifact_used
     FROM __cas_uri u LEFT JOIN __cas_artifact a ON a.blake3 = u.blake3 WHERE u.uri = ?`,
  ).get(uri);
  if (!row) throw unknownUri(uri);
  return {
    blake3: String(row.blake3),
    uriUsedAt: Number(row.uri_used),
    artifactUsedAt: row.artifact_used === null ? undefined : Number(row.artifact_used),
  };
}

/** True when resolving `target` at `now` must record the use (see USE_RESOLUTION_MS). */
export function uriUseIsStale(target: UriTarget, now: number): boolean {
  return useIsStale(target.uriUsedAt, now) ||
    (target.artifactUsedAt !== undefined && useIsStale(target.artifactUsedAt, now));
}

/** Record a use of `uri` and of its artifact `blake3`, to the hour; needs the write lock. */
export function touchUri(db: DatabaseSync, uri: string, blake3: string, now: number): void {
  sql(
    db,
    `UPDATE __cas_uri SET last_used_at = ?1
     WHERE uri = ?2 AND (last_used_at <= ?1 - ?3 OR last_used_at > ?1)`,
  ).run(now, uri, USE_RESOLUTION_MS);
  touchArtifact(db, blake3, now);
}

/** Remove a binding; unknown → ENOTFOUND. Returns the artifact it pointed to. */
export function removeUri(db: DatabaseSync, uri: string): string {
  const row = sql(db, `DELETE FROM __cas_uri WHERE uri = ? RETURNING blake3`).get(uri);
  if (!row) throw unknownUri(uri);
  return String(row.blake3);
}

/** All bindings, or those of one artifact, sorted by URI. */
export function listUris(db: DatabaseSync, blake3?: string): UriBinding[] {
  const rows = blake3 === undefined
    ? sql(db, `SELECT * FROM __cas_uri ORDER BY uri`).all()
    : sql(db, `SELECT * FROM __cas_uri WHERE blake3 = ? ORDER BY uri`).all(blake3);
  return rows.map(toBinding);
}
