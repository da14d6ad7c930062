/**
 * The printer for one mode. The row modes (list, csv, json, …) are loaded with the shell
 * (a dynamic import costs more than it saves for what nearly every query needs); the
 * columnar and EXPLAIN layouts load on first use, so the one-shot path never loads them.
 * `createPrinter` in printer.ts, which loads them all, stays for callers that need any mode.
 */
import type { Sink } from "../sink.ts";
import type { FormatSettings } from "./settings.ts";
import type { PrinterOptions, ResultPrinter } from "./types.ts";
import { createRowPrinter } from "./rows.ts";

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
  return (settings, sink, options = {}) =>
    createRowPrinter({ ...settings, widths: [...settings.widths] }, sink, options);
}
