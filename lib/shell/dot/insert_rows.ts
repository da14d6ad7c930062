/**
 * Rows of a query printed as INSERT statements through the shared result printer, the way
 * sqlite3's `.dump` and `.fullschema` switch the session to insert mode for one query.
 */
import { createPrinter } from "../format/printer.ts";
import type { ShellState } from "../state.ts";
import type { SqlValue } from "../value.ts";
import { prepareRows } from "./query.ts";

/**
 * Print every row of `select` as `INSERT INTO <table> VALUES(…);` on the current output.
 * `table` is written as given (already quoted, perhaps with a column list). Throws when
 * the query fails; rows printed before the failure stay printed, as in sqlite3.
 */
export function writeInsertRows(
  state: ShellState,
  select: string,
  table: string,
  options: { newlines: boolean },
): void {
  const stmt = prepareRows(state.db, select);
  const settings = { ...state.format, mode: "insert" as const, insertTable: table, headers: false };
  const printer = createPrinter(settings, state.out, { keepNewlines: options.newlines });
  printer.begin(stmt.columns().map((column) => column.name));
  try {
    for (const row of stmt.iterate()) printer.row(row as unknown as SqlValue[]);
  } finally {
    printer.end();
  }
}
