/**
 * The modes sqlite3 3.40 prints one row at a time from `shell_callback`: line, list (and
 * tabs), html, tcl, csv, ascii, insert, quote, json, count and off. Headers appear only
 * when a first row does, so an empty result prints nothing.
 */
import type { SqlValue } from "../value.ts";
import type { Sink } from "../sink.ts";
import type { FormatSettings } from "./settings.ts";
import type { PrinterOptions, ResultPrinter } from "./types.ts";
import { ByteWriter, cText } from "./bytes.ts";
import {
  displayText,
  quoteIdentifier,
  writeCString,
  writeCsv,
  writeHtml,
  writeInsertValue,
  writeJsonString,
  writeJsonValue,
  writeQuoteValue,
  writeSqlString,
} from "./values.ts";

/** What a row mode sees: the settings as bytes, the column names, and the row number. */
interface RowContext {
  w: ByteWriter;
  colSep: Uint8Array;
  rowSep: Uint8Array;
  nullValue: Uint8Array;
  headers: boolean;
  columns: Uint8Array[];
  names: string[];
  /** Rows printed so far in this statement (sqlite3's `p->cnt`). */
  count: number;
}

type RowWriter = (ctx: RowContext, values: SqlValue[]) => void;

function writeLine(ctx: RowContext, values: SqlValue[]): void {
  const { w, columns, rowSep } = ctx;
  // Names are right-aligned to the longest in bytes (printf's %*s), at least 5.
  const width = Math.max(5, ...columns.map((c) => c.length));
  if (ctx.count > 0) w.bytes(rowSep);
  values.forEach((v, i) => {
    w.repeat(0x20, width - columns[i].length).bytes(columns[i]).text(" = ");
    w.bytes(displayText(v, ctx.nullValue)).bytes(rowSep);
  });
}

function writeList(ctx: RowContext, values: SqlValue[]): void {
  const { w, colSep, rowSep } = ctx;
  const last = values.length - 1;
  if (ctx.count === 0 && ctx.headers) {
    ctx.columns.forEach((c, i) => w.bytes(c).bytes(i === last ? rowSep : colSep));
  }
  values.forEach((v, i) =>
    w.bytes(displayText(v, ctx.nullValue)).bytes(i === last ? rowSep : colSep)
  );
}

function writeAscii(ctx: RowContext, values: SqlValue[]): void {
  const { w, colSep, rowSep } = ctx;
  if (ctx.count === 0 && ctx.headers) {
    ctx.columns.forEach((c, i) => (i > 0 ? w.bytes(colSep) : w).bytes(c));
    w.bytes(rowSep);
  }
  values.forEach((v, i) => (i > 0 ? w.bytes(colSep) : w).bytes(displayText(v, ctx.nullValue)));
  w.bytes(rowSep);
}

function writeHtmlRow(ctx: RowContext, values: SqlValue[]): void {
  const { w } = ctx;
  if (ctx.count === 0 && ctx.headers) {
    w.text("<TR>");
    for (const c of ctx.columns) {
      w.text("<TH>");
      writeHtml(w, c);
      w.text("</TH>\n");
    }
    w.text("</TR>\n");
  }
  w.text("<TR>");
  for (const v of values) {
    w.text("<TD>");
    writeHtml(w, displayText(v, ctx.nullValue));
    w.text("</TD>\n");
  }
  w.text("</TR>\n");
}

function writeTcl(ctx: RowContext, values: SqlValue[]): void {
  const { w, colSep, rowSep } = ctx;
  const last = values.length - 1;
  if (ctx.count === 0 && ctx.headers) {
    ctx.columns.forEach((c, i) => {
      writeCString(w, c);
      if (i < last) w.bytes(colSep);
    });
    w.bytes(rowSep);
  }
  values.forEach((v, i) => {
    writeCString(w, displayText(v, ctx.nullValue));
    if (i < last) w.bytes(colSep);
  });
  w.bytes(rowSep);
}

function writeCsvRow(ctx: RowContext, values: SqlValue[]): void {
  const { w, colSep, rowSep, nullValue } = ctx;
  const last = values.length - 1;
  if (ctx.count === 0 && ctx.headers) {
    ctx.columns.forEach((c, i) => {
      writeCsv(w, c, colSep, nullValue);
      if (i < last) w.bytes(colSep);
    });
    w.bytes(rowSep);
  }
  if (values.length === 0) return;
  values.forEach((v, i) => {
    writeCsv(w, v === null ? null : displayText(v, nullValue), colSep, nullValue);
    if (i < last) w.bytes(colSep);
  });
  w.bytes(rowSep);
}

function writeQuoteRow(ctx: RowContext, values: SqlValue[]): void {
  const { w, colSep, rowSep } = ctx;
  if (ctx.count === 0 && ctx.headers) {
    ctx.columns.forEach((c, i) => {
      if (i > 0) w.bytes(colSep);
      writeSqlString(w, c);
    });
    w.bytes(rowSep);
  }
  values.forEach((v, i) => {
    if (i > 0) w.bytes(colSep);
    writeQuoteValue(w, v);
  });
  w.bytes(rowSep);
}

function writeJsonRow(ctx: RowContext, values: SqlValue[]): void {
  const { w } = ctx;
  w.text(ctx.count === 0 ? "[{" : ",\n{");
  values.forEach((v, i) => {
    writeJsonString(w, ctx.columns[i]);
    w.text(":");
    writeJsonValue(w, v);
    if (i < values.length - 1) w.text(",");
  });
  w.text("}");
}

function insertWriter(table: string, keepNewlines: boolean): RowWriter {
  return (ctx, values) => {
    const { w } = ctx;
    w.text("INSERT INTO ").bytes(cText(table));
    if (ctx.headers) w.text("(").bytes(cText(ctx.names.map(quoteIdentifier).join(","))).text(")");
    values.forEach((v, i) => {
      w.text(i > 0 ? "," : " VALUES(");
      writeInsertValue(w, v, keepNewlines);
    });
    w.text(");\n");
  };
}

const WRITERS: Partial<Record<FormatSettings["mode"], RowWriter>> = {
  line: writeLine,
  list: writeList,
  html: writeHtmlRow,
  tcl: writeTcl,
  csv: writeCsvRow,
  ascii: writeAscii,
  quote: writeQuoteRow,
  json: writeJsonRow,
};

/** A printer for one of the row-at-a-time modes (anything but columnar and explain). */
export function createRowPrinter(
  settings: FormatSettings,
  sink: Sink,
  options: PrinterOptions = {},
): ResultPrinter {
  const mode = settings.mode;
  const write = mode === "insert"
    ? insertWriter(settings.insertTable, options.keepNewlines ?? false)
    : WRITERS[mode];
  const ctx: RowContext = {
    w: new ByteWriter(),
    colSep: cText(settings.colSeparator),
    rowSep: cText(settings.rowSeparator),
    nullValue: cText(settings.nullValue),
    headers: settings.headers,
    columns: [],
    names: [],
    count: 0,
  };
  return {
    begin(columns) {
      ctx.names = columns;
      ctx.columns = columns.map(cText);
      ctx.count = 0;
    },
    row(values) {
      write?.(ctx, values);
      ctx.count++;
      if (ctx.w.length > 0) sink.write(ctx.w.take());
    },
    end() {
      if (ctx.count === 0) return;
      if (mode === "json") sink.write("]\n");
      if (mode === "count") {
        (options.stdout ?? sink).write(`${ctx.count} row${ctx.count !== 1 ? "s" : ""}\n`);
      }
    },
  };
}
