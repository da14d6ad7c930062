/**
 * One prepared statement. The reading side is close to node:sqlite's StatementSync (`all`,
 * `get`, `run`, `iterate`, `columns`, `setReadBigInts`, `setReturnArrays`) so dot-commands
 * read the same way on either engine; `step`/`stepAsync` and `row` are the shell's own
 * path, which streams rows and can be interrupted.
 */
import type { Database } from "./database.ts";
import { SQLITE_DONE, SQLITE_ROW } from "./error.ts";
import type { Sqlite3 } from "./symbols.ts";
import { readBytes, readCString, readText, TRANSIENT, utf8 } from "./text.ts";

/** One value as SQLite stores it: INTEGER as bigint (or number), REAL, TEXT, BLOB, NULL. */
export type SqlValue = null | bigint | number | string | Uint8Array;

/** A value a parameter can be bound to. */
export type BindValue = SqlValue | boolean | undefined;

/** What `run` reports. */
export interface RunResult {
  changes: number | bigint;
  lastInsertRowid: number | bigint;
}

/** A growable byte buffer that cells are copied into (see `appendText`). */
export class ByteBuffer {
  buffer = new Uint8Array(1 << 17);
  length = 0;

  /** Make room for `n` more bytes. */
  reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  /** Append `bytes`. */
  append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** A copy of the bytes, leaving the buffer empty. */
  take(): Uint8Array {
    const out = this.buffer.slice(0, this.length);
    this.length = 0;
    return out;
  }
}

/** A prepared statement of `db`. */
export class Statement {
  readonly #db: Database;
  readonly #lib: Sqlite3;
  #handle: Deno.PointerObject | null;
  #bigInts = false;
  #arrays = false;
  #names: string[] | null = null;

  constructor(db: Database, lib: Sqlite3, handle: Deno.PointerObject) {
    this.#db = db;
    this.#lib = lib;
    this.#handle = handle;
  }

  /** The sqlite3_stmt pointer (throws once finalized). */
  get handle(): Deno.PointerObject {
    if (this.#handle === null) throw new Error("The statement has been finalized");
    return this.#handle;
  }

  /** INTEGERs as bigint (true) or number (false, node:sqlite's default). */
  setReadBigInts(on: boolean): this {
    this.#bigInts = on;
    return this;
  }

  /** Rows as arrays (true) or objects keyed by column name (false, the default). */
  setReturnArrays(on: boolean): this {
    this.#arrays = on;
    return this;
  }

  /** The number of result columns (0 for a statement that returns no rows). */
  get columnCount(): number {
    return this.#lib.sqlite3_column_count(this.handle);
  }

  /** The result columns' names. */
  columnNames(): string[] {
    if (this.#names === null) {
      const n = this.columnCount;
      const names: string[] = [];
      for (let i = 0; i < n; i++) {
        names.push(readCString(this.#lib.sqlite3_column_name(this.handle, i)) ?? "");
      }
      this.#names = names;
    }
    return this.#names;
  }

  /** The result columns, as node:sqlite describes them (names only). */
  columns(): { name: string }[] {
    return this.columnNames().map((name) => ({ name }));
  }

  /** The statement's SQL text. */
  get sql(): string {
    return readCString(this.#lib.sqlite3_sql(this.handle)) ?? "";
  }

  /** True for a statement that writes nothing (sqlite3_stmt_readonly). */
  get readOnly(): boolean {
    return this.#lib.sqlite3_stmt_readonly(this.handle) !== 0;
  }

  /** 0, or 1 for EXPLAIN, 2 for EXPLAIN QUERY PLAN (sqlite3_stmt_isexplain). */
  get explain(): number {
    return this.#lib.sqlite3_stmt_isexplain(this.handle);
  }

  /** The number of parameters (`?`, `?N`, `:name`, `@name`, `$name`). */
  get parameterCount(): number {
    return this.#lib.sqlite3_bind_parameter_count(this.handle);
  }

  /** The name of parameter `index` (1-based), or null for a bare `?`. */
  parameterName(index: number): string | null {
    return readCString(this.#lib.sqlite3_bind_parameter_name(this.handle, index));
  }

  /** Bind `values` to parameters 1, 2, … in order. */
  bind(values: readonly BindValue[]): this {
    for (let i = 0; i < values.length; i++) this.bindOne(i + 1, values[i]);
    return this;
  }

  /** Bind one parameter (1-based). */
  bindOne(index: number, value: BindValue): void {
    const lib = this.#lib;
    const h = this.handle;
    let rc: number;
    if (value === null || value === undefined) rc = lib.sqlite3_bind_null(h, index);
    else if (typeof value === "bigint") rc = lib.sqlite3_bind_int64(h, index, value);
    else if (typeof value === "boolean") rc = lib.sqlite3_bind_int64(h, index, value ? 1n : 0n);
    else if (typeof value === "number") {
      rc = Number.isSafeInteger(value) && !Object.is(value, -0)
        ? lib.sqlite3_bind_int64(h, index, BigInt(value))
        : lib.sqlite3_bind_double(h, index, value);
    } else if (typeof value === "string") {
      const bytes = utf8(value);
      rc = lib.sqlite3_bind_text(h, index, bytes, bytes.length, TRANSIENT());
    } else {
      rc = lib.sqlite3_bind_blob(
        h,
        index,
        value as Uint8Array<ArrayBuffer>,
        value.length,
        TRANSIENT(),
      );
    }
    if (rc !== 0) throw this.#db.error(rc);
  }

  /** Run one step: true when a row is ready, false when done; throws SqliteError. */
  step(): boolean {
    const rc = this.#lib.sqlite3_step(this.handle);
    if (rc === SQLITE_ROW) return true;
    if (rc === SQLITE_DONE) return false;
    throw this.#db.error(rc);
  }

  /**
   * One step on a worker thread: the event loop runs meanwhile, so a SIGINT listener can
   * interrupt it. Costs ~30 µs more than `step`; use it for the first step of a statement.
   */
  async stepAsync(): Promise<boolean> {
    const rc = await this.#lib.sqlite3_step_async(this.handle);
    if (rc === SQLITE_ROW) return true;
    if (rc === SQLITE_DONE) return false;
    throw this.#db.error(rc);
  }

  /** The current row's values as an array (INTEGERs as bigint when setReadBigInts). */
  row(): SqlValue[] {
    const lib = this.#lib;
    const h = this.handle;
    const n = lib.sqlite3_data_count(h);
    const row: SqlValue[] = new Array(n);
    for (let i = 0; i < n; i++) row[i] = this.value(i);
    return row;
  }

  /** Column `i` of the current row. */
  value(i: number): SqlValue {
    const lib = this.#lib;
    const h = this.handle;
    switch (lib.sqlite3_column_type(h, i)) {
      case 1: {
        const v = lib.sqlite3_column_int64(h, i) as bigint | number;
        return this.#bigInts ? BigInt(v) : Number(v);
      }
      case 2:
        return lib.sqlite3_column_double(h, i);
      case 3: {
        const p = lib.sqlite3_column_text(h, i);
        return readText(p, lib.sqlite3_column_bytes(h, i));
      }
      case 4: {
        const p = lib.sqlite3_column_blob(h, i);
        return readBytes(p, lib.sqlite3_column_bytes(h, i));
      }
      default:
        return null;
    }
  }

  /**
   * Append column `i`'s text as sqlite3_column_text gives it (SQLite's own conversion of
   * numbers, `%!.15g` for a REAL), cut at its first NUL as C's `%s` cuts it, to `out`
   * without a JavaScript string in between. False for NULL (nothing appended).
   */
  appendText(i: number, out: ByteBuffer): boolean {
    const lib = this.#lib;
    const h = this.handle;
    const text = lib.sqlite3_column_text(h, i);
    if (text === null) return false;
    const n = lib.sqlite3_column_bytes(h, i);
    if (n === 0) return true;
    out.reserve(n);
    const at = out.length;
    const buffer = out.buffer;
    Deno.UnsafePointerView.copyInto(text, buffer.subarray(at, at + n));
    let end = at;
    const stop = at + n;
    while (end < stop && buffer[end] !== 0) end++;
    out.length = end;
    return true;
  }

  #shaped(): SqlValue[] | Record<string, SqlValue> {
    const row = this.row();
    if (this.#arrays) return row;
    const names = this.columnNames();
    const record: Record<string, SqlValue> = {};
    for (let i = 0; i < row.length; i++) record[names[i]] = row[i];
    return record;
  }

  /** Reset for another run (bindings stay). */
  reset(): void {
    if (this.#handle !== null) this.#lib.sqlite3_reset(this.#handle);
  }

  #start(params: BindValue[]): void {
    this.reset();
    if (params.length > 0) this.bind(params);
  }

  /** Every row. */
  // deno-lint-ignore no-explicit-any
  all(...params: BindValue[]): any[] {
    this.#start(params);
    const rows = [];
    try {
      while (this.step()) rows.push(this.#shaped());
    } finally {
      this.reset();
    }
    return rows;
  }

  /** The first row, or undefined. */
  // deno-lint-ignore no-explicit-any
  get(...params: BindValue[]): any {
    this.#start(params);
    try {
      return this.step() ? this.#shaped() : undefined;
    } finally {
      this.reset();
    }
  }

  /** Run to the end; the changes it made and the last rowid. */
  run(...params: BindValue[]): RunResult {
    this.#start(params);
    try {
      while (this.step()) { /* rows are not wanted */ }
    } finally {
      this.reset();
    }
    const changes = this.#db.changes();
    const rowid = this.#db.lastInsertRowid();
    return this.#bigInts
      ? { changes: BigInt(changes), lastInsertRowid: BigInt(rowid) }
      : { changes, lastInsertRowid: Number(rowid) };
  }

  /** The rows one at a time. */
  // deno-lint-ignore no-explicit-any
  *iterate(...params: BindValue[]): Generator<any> {
    this.#start(params);
    try {
      while (this.step()) yield this.#shaped();
    } finally {
      this.reset();
    }
  }

  /** Free the statement; later calls throw. */
  finalize(): void {
    if (this.#handle === null) return;
    this.#lib.sqlite3_finalize(this.#handle);
    this.#handle = null;
    this.#db.forget(this);
  }

  /** True once finalized. */
  get finalized(): boolean {
    return this.#handle === null;
  }
}
