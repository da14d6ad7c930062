/**
 * The printer for one mode, loading only that mode's module. The one-shot path
 * (`sqlink db "select 1"`) then never loads the columnar or EXPLAIN layouts; `createPrinter`
 * in printer.ts, which loads them all, stays for callers that print in any mode at once.
 */
import type { Sink } from "../sink.ts";
import type { FormatSettings } from "./settings.ts";
import type { PrinterOptions, ResultPrinter } from "./types.ts";

/** Makes printers for one mode. */
export type PrinterFactory = (
  settings: FormatSettings,
  sink: Sink,
  options?: PrinterOptions,
) => ResultPrinter;

const COLUMNAR = new Set(["column", "table", "markdown", "box"]);

/** The factory for `mode`, importing its module on first use. */
export async function loadPrinter(mode: string): Promise<PrinterFactory> {
  if (COLUMNAR.has(mode) || mode === "explain") {
    const { createPrinter } = await import("./printer.ts");
    return createPrinter;
  }
  const { createRowPrinter } = await import("./rows.ts");
  return (settings, sink, options = {}) =>
    createRowPrinter({ ...settings, widths: [...settings.widths] }, sink, options);
}
