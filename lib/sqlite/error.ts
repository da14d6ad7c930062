/** SQLite's own failures, with its message, result code and where in the SQL it happened. */

/** An error SQLite reported: `message` is sqlite3_errmsg's text. */
export class SqliteError extends Error {
  /** SQLite's extended result code (`errcode`, as node:sqlite names it, too). */
  readonly errcode: number;
  /** sqlite3_errstr of the code ("constraint failed"). */
  readonly errstr: string;
  /** The byte offset in the SQL that sqlite3_error_offset gave, or -1. */
  readonly offset: number;

  constructor(message: string, errcode: number, errstr: string, offset = -1) {
    super(message);
    this.name = "SqliteError";
    this.errcode = errcode;
    this.errstr = errstr;
    this.offset = offset;
  }

  /** SQLite's primary result code (the low byte). */
  get primary(): number {
    return this.errcode & 0xff;
  }
}

/** SQLite's result codes that sqlink reads. */
export const SQLITE_OK = 0;
export const SQLITE_ERROR = 1;
export const SQLITE_INTERRUPT = 9;
export const SQLITE_ROW = 100;
export const SQLITE_DONE = 101;
