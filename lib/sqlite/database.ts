/**
 * A connection to a database through SQLite's C library (lib/sqlite/library.ts must have
 * loaded it). Opened as Debian's sqlite3 opens one, with the library's defaults (foreign
 * keys off, double-quoted strings allowed, defensive mode off), plus FULLMUTEX so a step on
 * a worker thread and `interrupt` from the main thread may meet.
 */
import { SqliteError } from "./error.ts";
import { sqlite } from "./library.ts";
import { type SqlValue, Statement } from "./statement.ts";
import type { Sqlite3 } from "./symbols.ts";
import { cString, readBytes, readCString, readText, TRANSIENT, utf8 } from "./text.ts";

const OPEN_READONLY = 0x1;
const OPEN_READWRITE = 0x2;
const OPEN_CREATE = 0x4;
const OPEN_URI = 0x40;
const OPEN_FULLMUTEX = 0x10000;
const DBCONFIG_ENABLE_LOAD_EXTENSION = 1005;
const UTF8 = 1;
const DETERMINISTIC = 0x800;
const DIRECTONLY = 0x80000;

/** How to open a database. */
export interface OpenOptions {
  readOnly?: boolean;
  /** Do not create the file when it is missing. */
  mustExist?: boolean;
}

/** What a JavaScript SQL function receives and may return. */
export type FunctionValue = SqlValue;

/** How a JavaScript SQL function behaves. */
export interface FunctionOptions {
  /** The same arguments always give the same result (usable in indexes). */
  deterministic?: boolean;
  /** Any number of arguments; else the function's `length`. */
  varargs?: boolean;
  /** Not callable from schema objects (triggers, views): for functions with side effects. */
  directOnly?: boolean;
}

const FUNCTION_CALLBACK = {
  parameters: ["pointer", "i32", "pointer"],
  result: "void",
} as const;

/** One open connection. */
export class Database {
  readonly #lib: Sqlite3;
  #handle: Deno.PointerObject | null;
  readonly #statements = new Set<Statement>();
  readonly #callbacks: { close(): void }[] = [];
  /** The file name it was opened with. */
  readonly path: string;

  constructor(path: string, options: OpenOptions = {}) {
    const lib = sqlite();
    this.#lib = lib;
    this.path = path;
    const flags =
      (options.readOnly ? OPEN_READONLY : OPEN_READWRITE | (options.mustExist ? 0 : OPEN_CREATE)) |
      OPEN_URI | OPEN_FULLMUTEX;
    const out = new BigUint64Array(1);
    const rc = lib.sqlite3_open_v2(cString(path), out, flags, null);
    const handle = Deno.UnsafePointer.create(out[0]);
    if (rc !== 0) {
      const message = handle === null
        ? readCString(lib.sqlite3_errstr(rc)) ?? "out of memory"
        : readCString(lib.sqlite3_errmsg(handle)) ?? "";
      if (handle !== null) lib.sqlite3_close_v2(handle);
      throw new SqliteError(message, rc, readCString(lib.sqlite3_errstr(rc)) ?? "");
    }
    this.#handle = handle;
    // Extensions load through sqlink's cache (`.load`) only: this enables the C entry point,
    // never the SQL function load_extension().
    lib.sqlite3_db_config(handle, DBCONFIG_ENABLE_LOAD_EXTENSION, 1, null);
  }

  /** The sqlite3 pointer (throws once closed). */
  get handle(): Deno.PointerObject {
    if (this.#handle === null) throw new Error("The database is not open");
    return this.#handle;
  }

  /** The library's functions. */
  get lib(): Sqlite3 {
    return this.#lib;
  }

  /** True until `close`. */
  get isOpen(): boolean {
    return this.#handle !== null;
  }

  /** True inside an explicit transaction (BEGIN without COMMIT yet). */
  get isTransaction(): boolean {
    return this.#lib.sqlite3_get_autocommit(this.handle) === 0;
  }

  /** The error SQLite recorded for the last call, for result code `rc`. */
  error(rc: number): SqliteError {
    const lib = this.#lib;
    const h = this.handle;
    const message = readCString(lib.sqlite3_errmsg(h)) ?? "";
    const code = lib.sqlite3_extended_errcode(h) || rc;
    const offset = lib.sqlite3_error_offset(h);
    return new SqliteError(message, code, readCString(lib.sqlite3_errstr(rc)) ?? "", offset);
  }

  /** Prepare the first statement of `sql`; throws SqliteError (with the error offset). */
  prepare(sql: string): Statement {
    const bytes = utf8(sql);
    const statement = this.prepareBytes(bytes, 0).statement;
    if (statement === null) {
      // Only blanks and comments: node:sqlite refuses this too.
      throw new SqliteError("The supplied SQL string contains no statements", 21, "");
    }
    return statement;
  }

  /**
   * Prepare the statement of `bytes` (UTF-8) starting at byte `from`: the statement (null
   * when only blanks or comments were left) and the byte offset where the next one begins.
   */
  prepareBytes(bytes: Uint8Array, from: number): { statement: Statement | null; tail: number } {
    const lib = this.#lib;
    const out = new BigUint64Array(1);
    const tail = new BigUint64Array(1);
    const view = bytes.subarray(from) as Uint8Array<ArrayBuffer>;
    const base = Deno.UnsafePointer.value(Deno.UnsafePointer.of(view));
    const rc = lib.sqlite3_prepare_v2(this.handle, view, view.length, out, tail);
    if (rc !== 0) throw this.error(rc);
    const next = tail[0] === 0n ? bytes.length : from + Number(BigInt(tail[0]) - BigInt(base));
    const handle = Deno.UnsafePointer.create(out[0]);
    if (handle === null) return { statement: null, tail: next };
    const statement = new Statement(this, lib, handle);
    this.#statements.add(statement);
    return { statement, tail: next };
  }

  /** Run every statement of `sql`, discarding rows. */
  exec(sql: string): void {
    const bytes = utf8(sql);
    let at = 0;
    while (at < bytes.length) {
      const { statement, tail } = this.prepareBytes(bytes, at);
      at = tail;
      if (statement === null) continue;
      try {
        while (statement.step()) { /* rows are not wanted */ }
      } finally {
        statement.finalize();
      }
    }
  }

  /** @internal A statement finalized itself. */
  forget(statement: Statement): void {
    this.#statements.delete(statement);
  }

  /** Rows changed by the last INSERT, UPDATE or DELETE. */
  changes(): number {
    return Number(this.#lib.sqlite3_changes64(this.handle));
  }

  /** Rows changed since the connection opened. */
  totalChanges(): number {
    return Number(this.#lib.sqlite3_total_changes64(this.handle));
  }

  /** The rowid of the last INSERT. */
  lastInsertRowid(): bigint {
    return BigInt(this.#lib.sqlite3_last_insert_rowid(this.handle));
  }

  /** Stop the running statement at its next check (safe from any thread or a signal handler). */
  interrupt(): void {
    if (this.#handle !== null) this.#lib.sqlite3_interrupt(this.#handle);
  }

  /** sqlite3_limit: set limit `id` to `value` (negative: leave it); the old value. */
  limit(id: number, value = -1): number {
    return this.#lib.sqlite3_limit(this.handle, id, value);
  }

  /** The file of attached database `schema` ("" for a temporary or in-memory one). */
  filename(schema = "main"): string | null {
    return readCString(this.#lib.sqlite3_db_filename(this.handle, cString(schema)));
  }

  /** sqlite3_db_readonly: 1 read-only, 0 read-write, -1 no such schema. */
  schemaReadOnly(schema = "main"): number {
    return this.#lib.sqlite3_db_readonly(this.handle, cString(schema));
  }

  /** Load the extension library at `path` (its entry point `entry`, else SQLite's default). */
  loadExtension(path: string, entry?: string | null): void {
    const lib = this.#lib;
    const message = new BigUint64Array(1);
    const rc = lib.sqlite3_load_extension(
      this.handle,
      cString(path),
      entry ? cString(entry) : null,
      message,
    );
    if (rc === 0) return;
    const pointer = Deno.UnsafePointer.create(message[0]);
    const text = readCString(pointer) ?? readCString(lib.sqlite3_errmsg(this.handle)) ?? "";
    if (pointer !== null) lib.sqlite3_free(pointer);
    throw new SqliteError(text, rc, readCString(lib.sqlite3_errstr(rc)) ?? "");
  }

  /** Add the SQL function `name`, run by `fn`. */
  function(
    name: string,
    options: FunctionOptions,
    fn: (...args: FunctionValue[]) => FunctionValue | boolean | undefined,
  ): void {
    const lib = this.#lib;
    const callback = new Deno.UnsafeCallback(
      FUNCTION_CALLBACK,
      (context, argc, argv) => callFunction(lib, fn, context, argc, argv),
    );
    this.#callbacks.push(callback);
    const flags = UTF8 | (options.deterministic ? DETERMINISTIC : 0) |
      (options.directOnly ? DIRECTONLY : 0);
    const rc = lib.sqlite3_create_function_v2(
      this.handle,
      cString(name),
      options.varargs ? -1 : fn.length,
      flags,
      null,
      callback.pointer,
      null,
      null,
      null,
    );
    if (rc !== 0) throw this.error(rc);
  }

  /** Finalize every statement and close; safe to call twice. */
  close(): void {
    if (this.#handle === null) return;
    for (const statement of [...this.#statements]) statement.finalize();
    this.#lib.sqlite3_close_v2(this.#handle);
    this.#handle = null;
    for (const callback of this.#callbacks) callback.close();
    this.#callbacks.length = 0;
  }
}

function argument(lib: Sqlite3, value: Deno.PointerValue): FunctionValue {
  switch (lib.sqlite3_value_type(value)) {
    case 1:
      return BigInt(lib.sqlite3_value_int64(value));
    case 2:
      return lib.sqlite3_value_double(value);
    case 3: {
      const text = lib.sqlite3_value_text(value);
      return readText(text, lib.sqlite3_value_bytes(value));
    }
    case 4: {
      const blob = lib.sqlite3_value_blob(value);
      return readBytes(blob, lib.sqlite3_value_bytes(value));
    }
    default:
      return null;
  }
}

function callFunction(
  lib: Sqlite3,
  fn: (...args: FunctionValue[]) => FunctionValue | boolean | undefined,
  context: Deno.PointerValue,
  argc: number,
  argv: Deno.PointerValue,
): void {
  try {
    const args: FunctionValue[] = [];
    if (argv !== null) {
      const view = new Deno.UnsafePointerView(argv);
      for (let i = 0; i < argc; i++) args.push(argument(lib, view.getPointer(i * 8)));
    }
    const result = fn(...args);
    if (result === null || result === undefined) lib.sqlite3_result_null(context);
    else if (typeof result === "bigint") lib.sqlite3_result_int64(context, result);
    else if (typeof result === "boolean") lib.sqlite3_result_int64(context, result ? 1n : 0n);
    else if (typeof result === "number") lib.sqlite3_result_double(context, result);
    else if (typeof result === "string") {
      const bytes = utf8(result);
      lib.sqlite3_result_text(context, bytes, bytes.length, TRANSIENT());
    } else {
      lib.sqlite3_result_blob(
        context,
        result as Uint8Array<ArrayBuffer>,
        result.length,
        TRANSIENT(),
      );
    }
  } catch (error) {
    const bytes = utf8(error instanceof Error ? error.message : String(error));
    lib.sqlite3_result_error(context, bytes, bytes.length);
  }
}
