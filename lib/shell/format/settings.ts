/** The output settings `.mode`, `.headers`, `.separator`, `.nullvalue` and `.width` change. */

/**
 * sqlite3 3.40's internal output modes. `tabs` is list mode with a tab separator and `qbox`
 * is box with `--quote`, exactly as in sqlite3 (where `.mode` then reports `list` / `box`).
 */
export const MODE_NAMES = [
  "line",
  "column",
  "list",
  "html",
  "insert",
  "quote",
  "tcl",
  "csv",
  "explain",
  "ascii",
  "json",
  "markdown",
  "table",
  "box",
  "count",
  "off",
] as const;

/** One of {@linkcode MODE_NAMES}. */
export type ModeName = typeof MODE_NAMES[number];

/** How query results are printed. */
export interface FormatSettings {
  mode: ModeName;
  /** `.headers on|off`. */
  headers: boolean;
  /** True once the user chose headers explicitly (`-header`, `.headers`): `.mode column` keeps them then. */
  headerSet: boolean;
  /** `.separator COL`; also used by list, csv, ascii. */
  colSeparator: string;
  /** `.separator COL ROW`, `-newline`. */
  rowSeparator: string;
  /** `.nullvalue TEXT`. */
  nullValue: string;
  /**
   * What insert mode writes after `INSERT INTO`, verbatim: `.mode insert TABLE` stores the
   * name already quoted as sqlite3 quotes it (`"table"`), and `.dump` may add a column list.
   */
  insertTable: string;
  /** `.width N1 N2 …` (negative = right-aligned, 0 = automatic). */
  widths: number[];
  /** Columnar options of 3.40's `.mode box|column|markdown|table --wrap N --wordwrap B --quote`. */
  wrap: number;
  wordWrap: boolean;
  quote: boolean;
}

/** The settings sqlite3 starts with: list mode, `|`, `\n`, headers off, empty NULLs. */
export function defaultFormatSettings(): FormatSettings {
  return {
    mode: "list",
    headers: false,
    headerSet: false,
    colSeparator: "|",
    rowSeparator: "\n",
    nullValue: "",
    insertTable: "",
    widths: [],
    wrap: 0,
    wordWrap: false,
    quote: false,
  };
}
