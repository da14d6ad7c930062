/**
 * The sqlite-wasm driver: the Database interface (lib/db/database.ts) over the official
 * `@sqlite.org/sqlite-wasm` oo1 API, for the cas-cache in a browser worker. It smooths what
 * differs from node:sqlite: named rows as plain objects, integers as numbers (one beyond
 * 2^53 is an error, as node:sqlite without setReadBigInts makes it), counts as numbers, and
 * failures carrying SQLite's result code in `errcode`.
 */
import type {
  Database,
  RunResult,
  SqlInput,
  SqlOutput,
  SqlRow,
  Statement,
} from "../db/database.ts";

/** The parts of sqlite-wasm's oo1 API the driver uses (its own types are very wide). */
interface OoStmt {
  bind(values: SqlInput[]): OoStmt;
  step(): boolean;
  get(target: unknown[]): unknown[];
  getColumnNames(target?: string[]): string[];
  reset(clearBindings?: boolean): OoStmt;
  clearBindings(): OoStmt;
  finalize(): void;
  readonly parameterCount: number;
}

/** An open oo1 database. */
export interface OoDb {
  exec(sql: string): unknown;
  prepare(sql: string): OoStmt;
  changes(total?: boolean, sixtyFour?: boolean): number | bigint;
  close(): void;
  readonly pointer: number | undefined;
}

/** The sqlite3 namespace's C API calls the driver needs. */
export interface Capi {
  sqlite3_get_autocommit(db: number): number;
  sqlite3_last_insert_rowid(db: number): number | bigint;
}

/** Give an oo1 failure node:sqlite's shape: `errcode` holds SQLite's (extended) result code. */
function translated(err: unknown): unknown {
  const failure = err as { resultCode?: number; errcode?: number };
  if (failure && typeof failure === "object" && typeof failure.resultCode === "number") {
    failure.errcode ??= failure.resultCode;
  }
  return err;
}

function call<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw translated(err);
  }
}

function value(v: unknown): SqlOutput {
  if (typeof v === "bigint") {
    throw new RangeError(`Value is too large to be represented as a JavaScript number: ${v}`);
  }
  return v as SqlOutput;
}

class WasmStatement implements Statement {
  #stmt: OoStmt;
  #db: WasmDatabase;
  #arrays = false;
  #names: string[] | undefined;

  constructor(stmt: OoStmt, db: WasmDatabase) {
    this.#stmt = stmt;
    this.#db = db;
  }

  /** Rows as arrays in column order (node:sqlite's setReturnArrays). */
  setReturnArrays(enabled: boolean): void {
    this.#arrays = enabled;
  }

  #start(params: SqlInput[]): void {
    this.#stmt.reset(true);
    if (params.length > 0) this.#stmt.bind(params);
  }

  #row(): SqlRow {
    const values = this.#stmt.get([]).map(value);
    if (this.#arrays) return values as unknown as SqlRow;
    const names = this.#names ??= this.#stmt.getColumnNames([]);
    const row: SqlRow = {};
    names.forEach((name, i) => row[name] = values[i]);
    return row;
  }

  run(...params: SqlInput[]): RunResult {
    return call(() => {
      try {
        this.#start(params);
        while (this.#stmt.step()) { /* run to completion */ }
      } finally {
        this.#stmt.reset(true);
      }
      return this.#db.lastRun();
    });
  }

  get(...params: SqlInput[]): SqlRow | undefined {
    return call(() => {
      try {
        this.#start(params);
        return this.#stmt.step() ? this.#row() : undefined;
      } finally {
        this.#stmt.reset(true);
      }
    });
  }

  all(...params: SqlInput[]): SqlRow[] {
    return call(() => {
      try {
        this.#start(params);
        const rows: SqlRow[] = [];
        while (this.#stmt.step()) rows.push(this.#row());
        return rows;
      } finally {
        this.#stmt.reset(true);
      }
    });
  }

  *iterate(...params: SqlInput[]): Generator<SqlRow, undefined> {
    call(() => this.#start(params));
    try {
      while (call(() => this.#stmt.step())) yield this.#row();
    } finally {
      this.#stmt.reset(true);
    }
    return undefined;
  }
}

/**
 * Statements are finalized when their wrapper is collected, as node:sqlite's are (oo1 keeps
 * them until closed, and the page's worker lives long); closing the database finalizes the
 * rest, and finalizing twice does nothing.
 */
const unreachable = new FinalizationRegistry<{ raw: OoStmt; open: Set<OoStmt> }>(
  ({ raw, open }) => {
    open.delete(raw);
    try {
      raw.finalize();
    } catch {
      // Its database is busy in a statement: it is finalized when the database closes.
    }
  },
);

/** A Database over an oo1 connection. */
export class WasmDatabase implements Database {
  #db: OoDb;
  #capi: Capi;
  /** The statements prepared here and not yet finalized. */
  #open = new Set<OoStmt>();

  constructor(db: OoDb, capi: Capi) {
    this.#db = db;
    this.#capi = capi;
  }

  exec(sql: string): void {
    call(() => this.#db.exec(sql));
  }

  prepare(sql: string): WasmStatement {
    const raw = call(() => this.#db.prepare(sql));
    const statement = new WasmStatement(raw, this);
    this.#open.add(raw);
    unreachable.register(statement, { raw, open: this.#open });
    return statement;
  }

  get isTransaction(): boolean {
    return this.#capi.sqlite3_get_autocommit(this.#db.pointer!) === 0;
  }

  /** What the last statement changed, as node:sqlite reports it. */
  lastRun(): RunResult {
    return {
      changes: Number(this.#db.changes()),
      lastInsertRowid: Number(this.#capi.sqlite3_last_insert_rowid(this.#db.pointer!)),
    };
  }

  /** The whole database as the bytes of a SQLite file (sqlite3_serialize). */
  exportBytes(sqlite3: { capi: { sqlite3_js_db_export(db: number): Uint8Array } }): Uint8Array {
    return call(() => sqlite3.capi.sqlite3_js_db_export(this.#db.pointer!));
  }

  close(): void {
    // oo1's close() means to finalize the statements, but does not (3.53.4: it passes each
    // one's index for the statement), and sqlite3_close_v2 then keeps the connection, and
    // its files, open as a zombie: the pool could never be handed to another tab.
    for (const raw of this.#open) {
      try {
        raw.finalize();
      } catch {
        // Finalizing reports the statement's last error again: it is finalized all the same.
      }
    }
    this.#open.clear();
    this.#db.close();
  }
}
