/**
 * Opening the cas-cache in a browser worker: sqlite-wasm on the `opfs-sahpool` VFS, which
 * persists in the origin's private file system without special headers, prepared by the
 * same `prepare` (schema checks, migrations) as a cache on disk. Where OPFS is missing, an
 * in-memory cache that says so. Another tab holding the pool is one clear error.
 */
import sqlite3InitModule from "@sqlite.org/sqlite-wasm";
import { SqlinkError } from "../errors.ts";
import { prepare } from "../cas/db.ts";
import { CasStore } from "../cas/store.ts";
import type { CompressPolicy } from "../cas/codec.ts";
import type { DatabaseSync } from "../db/database.ts";
import { type Capi, type OoDb, WasmDatabase } from "./sqlite_wasm.ts";

/** The cache file inside the pool. */
export const CACHE_FILE = "/cas.sqlite";

/** sqlite-wasm's namespace, as far as lib/web uses it. */
export interface Sqlite3 {
  capi: Capi & {
    sqlite3_deserialize(
      db: number,
      schema: string,
      data: number,
      size: number,
      bufferSize: number,
      flags: number,
    ): number;
    sqlite3_js_db_export(db: number): Uint8Array;
    SQLITE_DESERIALIZE_FREEONCLOSE: number;
    SQLITE_DESERIALIZE_READONLY: number;
  };
  oo1: { DB: new (name?: string, flags?: string) => OoDb & { checkRc(rc: number): void } };
  wasm: { allocFromTypedArray(bytes: Uint8Array): number };
  version: { libVersion: string };
}

/** The pool's handle, as far as lib/web uses it. */
interface Pool {
  OpfsSAHPoolDb: new (name: string) => OoDb;
  unlink(name: string): boolean;
  getFileNames(): string[];
  pauseVfs(): void;
  unpauseVfs(): Promise<unknown>;
}

/** Where the cache lives. */
export interface Storage {
  sqlite3: Sqlite3;
  /** True when the cache persists (OPFS), false for an in-memory cache. */
  persistent: boolean;
  /** Why the cache is in memory, when it is. */
  notice?: string;
  /** A new, empty (unprepared) database named `name` in the same storage. */
  database(name: string): DatabaseSync;
  /** Remove a database file made by `database` (nothing for memory). */
  remove(name: string): void;
  /**
   * Let go of the pool's files so that another tab can take them (every database of this
   * storage closed first); nothing for memory.
   */
  pause(): void;
  /** Take the pool's files back after `pause`: ELOCKED while another tab holds them. */
  resume(): Promise<void>;
}

/** Another tab holds the pool: one clear error. */
function lockedError(): SqlinkError {
  return new SqlinkError("ELOCKED", "The cas-cache is open in another tab of this browser", {
    hint:
      "Use that tab, or take the cache over here (the other tab lets go of it); nothing was changed",
  });
}

function isLocked(err: unknown): boolean {
  return (err as Error)?.name === "NoModificationAllowedError" ||
    /Access Handle/.test(String(err));
}

let loaded: Promise<unknown> | undefined;

/** Load sqlite-wasm and install the pool; `poolName` keeps tests apart from the real cache. */
export async function openStorage(options: { poolName?: string } = {}): Promise<Storage> {
  // Once per worker: a tab refused the pool asks again on the same module.
  loaded ??= sqlite3InitModule();
  const sqlite3 = await loaded as unknown as Sqlite3 & {
    installOpfsSAHPoolVfs(
      opts: { name?: string; forceReinitIfPreviouslyFailed?: boolean },
    ): Promise<Pool>;
  };
  let pool: Pool | undefined;
  let notice: string | undefined;
  const opfs = (globalThis as { navigator?: { storage?: { getDirectory?: unknown } } })
    .navigator?.storage?.getDirectory;
  if (typeof opfs === "function") {
    try {
      // A tab refused earlier (another held the pool) tries again when asked to.
      pool = await sqlite3.installOpfsSAHPoolVfs({
        name: options.poolName,
        forceReinitIfPreviouslyFailed: true,
      });
    } catch (err) {
      if (isLocked(err)) throw lockedError();
      notice = `This browser's private file system could not be used (${
        (err as Error)?.message ?? err
      })`;
    }
  } else {
    notice = "This browser has no origin private file system (OPFS)";
  }
  const capi = sqlite3.capi;
  if (pool) {
    const p = pool;
    return {
      sqlite3,
      persistent: true,
      database: (name) => new WasmDatabase(new p.OpfsSAHPoolDb(name), capi),
      remove: (name) => void p.unlink(name),
      pause: () => p.pauseVfs(),
      resume: async () => {
        try {
          await p.unpauseVfs();
        } catch (err) {
          if (isLocked(err)) throw lockedError();
          throw err;
        }
      },
    };
  }
  return {
    sqlite3,
    persistent: false,
    notice: `${notice}: the cache is kept in memory and is lost when the page closes`,
    database: () => new WasmDatabase(new sqlite3.oo1.DB(":memory:", "c"), capi),
    remove: () => {},
    pause: () => {},
    resume: () => Promise.resolve(),
  };
}

/** Open (creating and migrating) a cas-cache named `name` in `storage`. */
export function openCache(
  storage: Storage,
  name = CACHE_FILE,
  options: { maxBytes?: number; compress?: CompressPolicy } = {},
): CasStore {
  const db = storage.database(name);
  try {
    prepare(db, name);
    // An OPFS read costs far more than one from the OS's page cache, which node:sqlite's
    // files enjoy: keep up to 64 MiB of pages in SQLite's own cache instead of its 2 MB.
    db.exec("PRAGMA cache_size = -65536");
  } catch (err) {
    db.close();
    throw err;
  }
  return CasStore.fromDatabase(db, { path: name, ...options });
}
