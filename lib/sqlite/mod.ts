/** sqlink's own binding of SQLite's C library: load it, open databases, run statements. */
export { loadSqlite, sqliteLibrary } from "./library.ts";
export { Database, type FunctionOptions, type OpenOptions } from "./database.ts";
export { type BindValue, type SqlValue, Statement } from "./statement.ts";
export { SqliteError } from "./error.ts";
