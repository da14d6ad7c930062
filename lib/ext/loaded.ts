/**
 * The extensions a shell session has loaded (SPEC §5 step 4): remembered in load order and
 * loaded again, in that order, into every database the session opens later.
 */
import type { DatabaseSync } from "node:sqlite";
import { SqlinkError } from "../errors.ts";
import { Database } from "../sqlite/database.ts";
import { sqliteLibrary } from "../sqlite/library.ts";

/**
 * A connection extensions load into: the shell's own SQLite binding (lib/sqlite), or
 * node:sqlite in the script commands that check a load without a shell.
 */
export interface ExtensionHost {
  loadExtension(path: string, entryPoint?: string): void;
  prepare(sql: string): { all(): Record<string, unknown>[] };
  close(): void;
}

/** One extension as the session uses it. */
export interface LoadedExtension {
  /** The extension name (`vec0`). */
  name: string;
  /** BLAKE3 hex of its bytes: the cas-cache key. */
  blake3: string;
  /** The materialized, verified file SQLite loads. */
  path: string;
  /** The entry point given to `.load`, or null for SQLite's default. */
  entryPoint: string | null;
  /** Where it came from: `file:///abs/vec0.so`, or `bundle:NAME`. */
  origin: string;
}

/**
 * Hand one materialized extension to SQLite, turning the loader's message into one that
 * names the file the user gave (`shown`) and says what to do.
 */
export function loadInto(db: ExtensionHost, ext: LoadedExtension, shown = ext.path): void {
  checkFfiAllowed(shown);
  try {
    if (ext.entryPoint === null) db.loadExtension(ext.path);
    else db.loadExtension(ext.path, ext.entryPoint);
  } catch (err) {
    throw loadError(err, ext, shown);
  }
}

function loadError(err: unknown, ext: LoadedExtension, shown: string): SqlinkError {
  const raw = String((err as Error)?.message ?? err)
    .replace(/^Failed to load SQLite extension: /, "");
  if (/Requires ffi access|--allow-ffi/i.test(raw) || (err as Error)?.name === "NotCapable") {
    return ffiError(shown, err);
  }
  const symbol = /undefined symbol: (\S+)|no entry point \[([^\]]+)\]/.exec(raw);
  if (symbol) {
    const entry = symbol[1] ?? symbol[2];
    return new SqlinkError(
      "ENOENTRY",
      `Cannot load "${shown}": it has no entry point "${entry}"`,
      {
        hint: ext.entryPoint === null
          ? "Name the extension's entry point: .load PATH ENTRY"
          : "Check the entry point's name, or leave it out to use SQLite's default",
        cause: err,
      },
    );
  }
  // SQLite retries `<path>.so` when dlopen fails and reports that attempt; ask dlopen
  // about the file itself for the real reason (usually a missing dependency).
  const reason = dlopenReason(ext.path) ?? raw.replaceAll(ext.path, shown);
  return new SqlinkError("ELOAD", `Cannot load "${shown}": ${reason}`, {
    hint: "Check that the extension was built for this SQLite and this machine",
    cause: err,
  });
}

/** The error for a process Deno does not allow to load native code. */
export function ffiError(shown: string, cause?: unknown): SqlinkError {
  return new SqlinkError(
    "EPERM",
    `Cannot load "${shown}": Deno does not allow this process to load native code`,
    {
      hint:
        "Run sqlink with Deno's --allow-ffi permission (`deno task sqlink` grants all it needs)",
      cause,
    },
  );
}

/** Refuse early, before anything is cached or materialized, when loading cannot work. */
export function checkFfiAllowed(shown: string): void {
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") throw ffiError(shown);
}

/**
 * An in-memory connection that may load extensions, for checking loads and replaying a
 * set; refused with the FFI message when Deno does not allow it. It runs on the engine the
 * process's shell runs on: an extension keeps one pointer to the SQLite API that loaded it
 * last, so loading it into a second copy of SQLite would send the shell's calls there.
 */
export function scratchConnection(shown: string): ExtensionHost {
  checkFfiAllowed(shown);
  if (sqliteLibrary() !== null) return new Database(":memory:");
  // Loaded here, not at the top: the shell's start never needs node:sqlite.
  const { DatabaseSync: NodeDatabase } = (globalThis as unknown as {
    process: { getBuiltinModule(name: string): unknown };
  }).process.getBuiltinModule("node:sqlite") as { DatabaseSync: typeof DatabaseSync };
  return new NodeDatabase(":memory:", { allowExtension: true }) as unknown as ExtensionHost;
}

function dlopenReason(path: string): string | undefined {
  try {
    Deno.dlopen(path, {}).close();
    return undefined;
  } catch (err) {
    const message = String((err as Error)?.message ?? err);
    return message.includes(path) ? message.replace(`${path}: `, "") : message;
  }
}

/**
 * The extensions of one session, in load order; one build per extension name.
 *
 * @example
 * ```ts
 * const set = new ExtensionSet();
 * set.add(ext); // after it loaded into the current connection
 * set.loadAll(newDb); // `.open`
 * ```
 */
export class ExtensionSet {
  #members: LoadedExtension[] = [];

  /** The members in load order. */
  get members(): readonly LoadedExtension[] {
    return this.#members;
  }

  /** The member named `name`, if any. */
  find(name: string): LoadedExtension | undefined {
    return this.#members.find((m) => m.name === name);
  }

  /**
   * Refuse a second build of an extension already in the set; true when this very build
   * is already there (nothing to do).
   */
  checkNew(name: string, blake3: string, shown: string): boolean {
    const present = this.find(name);
    if (!present) return false;
    if (present.blake3 === blake3) return true;
    throw new SqlinkError(
      "ECONFLICT",
      `Cannot load "${shown}": extension "${name}" is already loaded from a different build (${
        present.blake3.slice(0, 12)
      }…, from ${present.origin})`,
      {
        hint:
          "A session holds one build of each extension; start a new sqlink to use the other one",
      },
    );
  }

  /** Remember an extension that loaded. */
  add(ext: LoadedExtension): void {
    if (!this.checkNew(ext.name, ext.blake3, ext.path)) this.#members.push(ext);
  }

  /** Load every member into `db`, in order (a database opened later). */
  loadAll(db: ExtensionHost): void {
    for (const ext of this.#members) loadInto(db, ext, `${ext.name} (${ext.origin})`);
  }
}
