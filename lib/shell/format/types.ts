/** The printer interface every output mode implements. */
import type { SqlValue } from "../value.ts";
import type { Sink } from "../sink.ts";

/** Prints the result rows of one statement at a time. */
export interface ResultPrinter {
  /** A statement that returns columns starts (called even when no row follows). */
  begin(columns: string[]): void;
  /** One result row, values in column order. */
  row(values: SqlValue[]): void;
  /** The statement's last row has been given. */
  end(): void;
}

/** Things besides the settings that change how a printer writes. */
export interface PrinterOptions {
  /** Where count mode writes `N rows`: sqlite3 prints it to standard output even under `.output`. */
  stdout?: Sink;
  /** `.dump --newlines`: insert mode keeps newlines in strings instead of `replace(…)`. */
  keepNewlines?: boolean;
}
