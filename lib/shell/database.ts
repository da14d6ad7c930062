/** Opening a database the way the sqlite3 shell does. */
import { DatabaseSync } from "node:sqlite";

/** SQLite's default `SQLITE_MAX_ATTACHED`, which the sqlite3 shell has. */
const ATTACH_LIMIT = 10;

/**
 * Open `path` ("" or ":memory:" for an in-memory database) with the shell's defaults rather
 * than node:sqlite's, as sqlite3 has them: foreign keys off, double-quoted string literals
 * allowed, defensive mode off, ATTACH enabled (the SQL functions sqlite3 has beyond Deno's
 * build are added on first use, see functions.ts). Deno allows ATTACH only to a process
 * with every permission (`deno run -A`, as `deno task sqlink` runs); without them, the
 * database opens with ATTACH disabled rather than not at all, and without FFI it opens
 * without extension loading.
 */
export function openShellDatabase(
  path: string,
  options: { readOnly?: boolean } = {},
): DatabaseSync {
  const settings = {
    readOnly: options.readOnly ?? false,
    enableForeignKeyConstraints: false,
    enableDoubleQuotedStringLiterals: true,
    // sqlite3 runs without SQLite's defensive mode, so `PRAGMA writable_schema` works and
    // the dumps it writes for virtual tables load back.
    defensive: false,
    // Extensions load through `.load` only: this enables SQLite's C entry point, never the
    // SQL function `load_extension()`. Deno allows it only with --allow-ffi.
    allowExtension: Deno.permissions.querySync({ name: "ffi" }).state === "granted",
  };
  const name = path === "" ? ":memory:" : path;
  let db: DatabaseSync;
  try {
    // `limits` is missing from Deno 2.9's types for node:sqlite.
    db = new DatabaseSync(
      name,
      { ...settings, limits: { attach: ATTACH_LIMIT } } as typeof settings,
    );
  } catch (error) {
    if (!/Cannot raise the "attach" limit/.test(String((error as Error)?.message))) throw error;
    db = new DatabaseSync(name, settings);
  }
  return db;
}
