/**
 * One value of a result row, typed the way SQLite stores it. Statements are read with
 * `setReadBigInts(true)`, so an INTEGER arrives as a bigint and a REAL as a number: the
 * shell prints them differently (`1` and `1.0`), and SQLite's own REAL-to-text conversion
 * differs between versions, so printing is ours.
 */
export type SqlValue = null | bigint | number | string | Uint8Array;
