/**
 * The least a caller needs to work in the cas-cache's tables: the connection and its
 * transactions. CasStore is one; `openCasConnection` gives one without loading the blob
 * machinery (compression, SHA-256), which a bundle launch must not pay for.
 */
import type { DatabaseSync } from "../db/database.ts";
import { immediate, immediateIfFree, openCasDatabase, snapshot, sqliteError } from "./db.ts";

/** A cas-cache connection with its transaction helpers. */
export interface CasConnection {
  /** The database file. */
  readonly path: string;
  /** The connection. */
  readonly db: DatabaseSync;
  /** Run `fn`, translating SQLite failures into SqlinkErrors that name this cache. */
  guard<T>(fn: () => T): T;
  /** Run `fn` in a `BEGIN IMMEDIATE` write transaction. */
  write<T>(fn: () => T): T;
  /**
   * Run `fn` in a write transaction if no other process is writing, else skip it and
   * return undefined (for writes that may be dropped, such as recording a use).
   */
  writeIfFree<T>(fn: () => T): T | undefined;
  /** Run `fn` in a read transaction (one consistent snapshot). */
  readSnapshot<T>(fn: () => T): T;
  /** Close the connection. */
  close(): void;
}

/** Open (creating and migrating if needed) the cas-cache at `path`, tables only. */
export function openCasConnection(path: string): CasConnection {
  const db = openCasDatabase(path);
  const guard = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw sqliteError(err, path);
    }
  };
  return {
    path,
    db,
    guard,
    write: (fn) => guard(() => immediate(db, fn)),
    writeIfFree: (fn) => guard(() => immediateIfFree(db, fn)),
    readSnapshot: (fn) => guard(() => snapshot(db, fn)),
    close: () => db.close(),
  };
}
