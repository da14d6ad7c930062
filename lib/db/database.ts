/**
 * The database interface the cas-cache core is written against (lib/cas, lib/bundle): the
 * part of node:sqlite's `DatabaseSync` it uses, so that the same code runs on node:sqlite
 * under Deno (whose `DatabaseSync` satisfies this as it is, at no cost) and on the official
 * sqlite-wasm in a browser worker (lib/web/sqlite_wasm.ts adapts its oo1 API).
 *
 * The contract is node:sqlite's: rows are plain objects keyed by column name (arrays after
 * `setReturnArrays(true)`), integers are numbers (one beyond 2^53 is an error), blobs are
 * Uint8Array, and a failure carries SQLite's result code in `errcode`.
 */

/** A value a statement binds. */
export type SqlInput = null | number | bigint | string | Uint8Array;

/** A value a row holds. */
export type SqlOutput = null | number | bigint | string | Uint8Array;

/** A row as an object keyed by column name. */
export type SqlRow = Record<string, SqlOutput>;

/** What running a statement changed. */
export interface RunResult {
  changes: number | bigint;
  lastInsertRowid: number | bigint;
}

/** A prepared statement. */
export interface Statement {
  /** Run it to completion. */
  run(...params: SqlInput[]): RunResult;
  /** The first row, or undefined. */
  get(...params: SqlInput[]): SqlRow | undefined;
  /** Every row. */
  all(...params: SqlInput[]): SqlRow[];
  /** The rows one by one (the statement is busy until the iterator ends). */
  iterate(...params: SqlInput[]): Iterator<SqlRow> & Iterable<SqlRow>;
}

/** A statement whose rows can come back as arrays (node:sqlite has it; its types lack it). */
export type ArrayCapableStatement = Statement & { setReturnArrays(enabled: boolean): void };

/** A connection. */
export interface Database {
  /** Run one or more statements that return no rows. */
  exec(sql: string): void;
  /** Prepare one statement. */
  prepare(sql: string): Statement;
  /** True inside an explicit transaction. */
  readonly isTransaction: boolean;
  /** Close the connection. */
  close(): void;
}

/**
 * The names lib/cas and lib/bundle use: node:sqlite's, so that switching those modules to
 * this interface was one import line each.
 */
export type { Database as DatabaseSync, Statement as StatementSync };
