/** Opening a database the way the sqlite3 shell does. */
import { DatabaseSync } from "node:sqlite";

/**
 * Open `path` ("" or ":memory:" for an in-memory database) with the shell's defaults rather
 * than node:sqlite's: foreign keys off and double-quoted string literals allowed, as in sqlite3.
 */
export function openShellDatabase(
  path: string,
  options: { readOnly?: boolean } = {},
): DatabaseSync {
  return new DatabaseSync(path === "" ? ":memory:" : path, {
    readOnly: options.readOnly ?? false,
    enableForeignKeyConstraints: false,
    enableDoubleQuotedStringLiterals: true,
  });
}
