/** Small query helpers for dot-commands: typed rows from node:sqlite, errors as text. */
import type { Database } from "../../sqlite/database.ts";
import type { Statement } from "../../sqlite/statement.ts";
import type { SqlValue } from "../value.ts";

/** Prepare `sql` so rows come back as arrays with INTEGERs as bigints. */
export function prepareRows(db: Database, sql: string): Statement {
  const stmt = db.prepare(sql);
  stmt.setReadBigInts(true);
  // setReturnArrays exists at run time but not in Deno's type declarations.
  (stmt as unknown as { setReturnArrays(on: boolean): void }).setReturnArrays(true);
  return stmt;
}

/** All rows of `sql` (a single statement) with `params` bound, as arrays. */
export function queryRows(
  db: Database,
  sql: string,
  params: (string | number | bigint | null)[] = [],
): SqlValue[][] {
  return prepareRows(db, sql).all(...params) as unknown as SqlValue[][];
}

/** A name or SQL text column as a string (blobs decoded as UTF-8); null stays null. */
export function asText(value: SqlValue): string | null {
  if (value === null) return null;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return String(value);
}

/** The message SQLite gave for a failed call (sqlite3_errmsg), without node:sqlite's decoration. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
