/** Opening a database the way the sqlite3 shell does, on sqlink's SQLite binding. */
import { Database } from "../sqlite/database.ts";

/**
 * Open `path` ("" or ":memory:" for an in-memory database) as sqlite3 opens it: the
 * library's defaults (foreign keys off, double-quoted string literals allowed, defensive
 * mode off, ATTACH up to 10), extension loading through the C entry point only (`.load`;
 * SQL's `load_extension()` stays disabled). The library must be loaded (`loadSqlite`).
 */
export function openShellDatabase(path: string, options: { readOnly?: boolean } = {}): Database {
  return new Database(path === "" ? ":memory:" : path, { readOnly: options.readOnly ?? false });
}
