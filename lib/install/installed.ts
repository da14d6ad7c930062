/**
 * The record of installed extensions (schema v6, `__cas_ext_origin`): per extension name,
 * the source it was installed from (`npm:sqlite-vec@^0.1`), the version that resolved to,
 * the exact origin of the blob (`npm:sqlite-vec-linux-x64@0.1.6/vec0.so`) and its hashes.
 * `ext ls|rm|update`, `sqlink lock` and `.load NAME` read it.
 */
import type { DatabaseSync } from "../db/database.ts";
import { sql } from "../cas/statements.ts";
import { SqlinkError } from "../errors.ts";

/** One installed extension. */
export interface Installed {
  name: string;
  /** As given to `ext add`. */
  source: string;
  /** The resolved npm version, or null for a pinned URL. */
  version: string | null;
  /** Where exactly its blob came from. */
  origin: string;
  blake3: string;
  sha256: string;
  size: number;
  installedAt: number;
  updatedAt: number;
}

function row(r: Record<string, unknown>): Installed {
  return {
    name: String(r.name),
    source: String(r.source),
    version: r.version === null ? null : String(r.version),
    origin: String(r.origin),
    blake3: String(r.blake3),
    sha256: String(r.sha256),
    size: Number(r.size),
    installedAt: Number(r.installed_at),
    updatedAt: Number(r.updated_at),
  };
}

/** Every installed extension, by name. */
export function listInstalled(db: DatabaseSync): Installed[] {
  return sql(db, `SELECT * FROM __cas_ext_origin ORDER BY name`).all().map(row);
}

/** The installed extension called `name`, or undefined. */
export function findInstalled(db: DatabaseSync, name: string): Installed | undefined {
  const found = sql(db, `SELECT * FROM __cas_ext_origin WHERE name = ?`).get(name);
  return found ? row(found) : undefined;
}

/** The installed extension whose blob is `blake3`, or undefined. */
export function installedByHash(db: DatabaseSync, blake3: string): Installed | undefined {
  const found = sql(db, `SELECT * FROM __cas_ext_origin WHERE blake3 = ? ORDER BY name LIMIT 1`)
    .get(blake3);
  return found ? row(found) : undefined;
}

/** Record (or replace) an installed extension; inside the caller's write transaction. */
export function recordInstalled(
  db: DatabaseSync,
  record: Omit<Installed, "installedAt" | "updatedAt">,
  now: number,
): void {
  sql(
    db,
    `INSERT INTO __cas_ext_origin
       (name, source, version, origin, blake3, sha256, size, installed_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(name) DO UPDATE SET source = excluded.source, version = excluded.version,
       origin = excluded.origin, blake3 = excluded.blake3, sha256 = excluded.sha256,
       size = excluded.size, updated_at = excluded.updated_at`,
  ).run(
    record.name,
    record.source,
    record.version,
    record.origin,
    record.blake3,
    record.sha256,
    record.size,
    now,
    now,
  );
}

/** Forget an installed extension; inside the caller's write transaction. Unknown → ENOTFOUND. */
export function forgetInstalled(db: DatabaseSync, name: string): Installed {
  const found = findInstalled(db, name);
  if (!found) throw notInstalled(db, name);
  sql(db, `DELETE FROM __cas_ext_origin WHERE name = ?`).run(name);
  return found;
}

/** The error for a name that is not installed, listing those that are. */
export function notInstalled(db: DatabaseSync, name: string): SqlinkError {
  const names = listInstalled(db).map((i) => i.name);
  return new SqlinkError("ENOTFOUND", `No extension called "${name}" is installed`, {
    hint: names.length > 0
      ? `Installed: ${names.join(", ")}`
      : "Install one with `sqlink ext add npm:PACKAGE` (e.g. npm:sqlite-vec)",
  });
}
