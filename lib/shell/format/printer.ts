/**
 * The one entry point for printing query results the way sqlite3 3.40 does, in whichever
 * mode the settings name. The runner calls `begin` per statement with columns, `row` per
 * row and `end` after the last; the printer writes only to the sink it was given.
 *
 * @example
 * ```ts
 * const printer = createPrinter({ ...defaultFormatSettings(), mode: "box" }, sink);
 * printer.begin(["a"]);
 * printer.row([1n]);
 * printer.end();
 * ```
 */
import type { Sink } from "../sink.ts";
import type { FormatSettings } from "./settings.ts";
import type { PrinterOptions, ResultPrinter } from "./types.ts";
import { createColumnarPrinter } from "./columnar.ts";
import { createExplainPrinter } from "./explain.ts";
import { createRowPrinter } from "./rows.ts";

export type { PrinterOptions, ResultPrinter } from "./types.ts";

const COLUMNAR = new Set(["column", "table", "markdown", "box"]);

/**
 * A printer for `settings.mode`; the settings are read now, so later changes do not apply.
 * The one write back is sqlite3's: a columnar result with rows extends `settings.widths`
 * with zeros up to its column count.
 */
export function createPrinter(
  settings: FormatSettings,
  sink: Sink,
  options: PrinterOptions = {},
): ResultPrinter {
  const snapshot = { ...settings, widths: [...settings.widths] };
  if (COLUMNAR.has(snapshot.mode)) {
    return createColumnarPrinter(snapshot, sink, (nColumn) => {
      while (settings.widths.length < nColumn) settings.widths.push(0);
    });
  }
  if (snapshot.mode === "explain") return createExplainPrinter(snapshot, sink);
  return createRowPrinter(snapshot, sink, options);
}
