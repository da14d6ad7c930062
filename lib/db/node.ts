/**
 * The node:sqlite driver: Deno's `DatabaseSync` is the Database interface as it is, so this
 * only opens one. The browser build has no node:sqlite (lib/web/build.ts maps it to a module
 * that refuses), and its driver is lib/web/sqlite_wasm.ts.
 */
import { DatabaseSync, type DatabaseSyncOptions } from "node:sqlite";
import type { Database } from "./database.ts";

/** Open the SQLite file at `path` (a path or a `file:` URL) with node:sqlite. */
export function openNodeDatabase(path: string | URL, options: DatabaseSyncOptions): Database {
  return new DatabaseSync(path, options);
}
