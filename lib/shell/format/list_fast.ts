/**
 * The list mode (and `-tabs`, which is list with a tab) straight from SQLite's bytes: each
 * cell is what sqlite3_column_text gives, copied into one output buffer, exactly what
 * sqlite3's shell_callback prints for MODE_List, without a JavaScript value per cell.
 */
import { ByteBuffer, type Statement } from "../../sqlite/statement.ts";
import type { Stepper } from "../../sqlite/stepper.ts";
import type { Sink } from "../sink.ts";
import { cText } from "./bytes.ts";
import type { FormatSettings } from "./settings.ts";

const FLUSH_AT = 1 << 16;

/**
 * Print the current row and every row after it; returns the error that ended the rows
 * early, or null. The first row must already be stepped to.
 */
export async function printListRows(
  statement: Statement,
  stepper: Stepper,
  names: string[],
  settings: FormatSettings,
  sink: Sink,
): Promise<unknown> {
  const colSep = cText(settings.colSeparator);
  const rowSep = cText(settings.rowSeparator);
  const nullValue = cText(settings.nullValue);
  const out = new ByteBuffer();
  const last = names.length - 1;
  if (settings.headers) {
    names.forEach((name, i) => {
      out.append(cText(name));
      out.append(i === last ? rowSep : colSep);
    });
  }
  let failure: unknown = null;
  try {
    for (;;) {
      for (let i = 0; i <= last; i++) {
        if (!statement.appendText(i, out)) out.append(nullValue);
        out.append(i === last ? rowSep : colSep);
      }
      if (out.length >= FLUSH_AT) sink.write(out.take());
      let more = stepper.next();
      if (typeof more !== "boolean") more = await more;
      if (!more) break;
    }
  } catch (error) {
    failure = error;
  }
  if (out.length > 0) sink.write(out.take());
  return failure;
}

/** sqlite3's `needCsvQuote` as a table: control bytes, space, `"`, `'`, DEL, non-ASCII. */
const NEEDS_CSV_QUOTE = new Uint8Array(256).map((_, c) =>
  c <= 0x20 || c === 0x22 || c === 0x27 || c >= 0x7f ? 1 : 0
);

/**
 * sqlite3's `output_csv` on the cell already copied to `out` from `at`: an empty cell, one
 * with a byte of `needCsvQuote` or one containing `separator` is put in `"…"` with `"` doubled.
 */
function quoteCsvCell(out: ByteBuffer, at: number, separator: Uint8Array): void {
  const buffer = out.buffer;
  const end = out.length;
  let quotes = 0, needs = end === at;
  for (let i = at; i < end; i++) {
    const c = buffer[i];
    if (NEEDS_CSV_QUOTE[c] === 1) {
      needs = true;
      if (c === 0x22) quotes++;
    }
  }
  if (!needs && !contains(buffer, at, end, separator)) return;
  out.reserve(quotes + 2);
  const b = out.buffer;
  // Move the cell right from its end, doubling each `"`, then open and close the quotes.
  let to = end + quotes + 1;
  b[to] = 0x22;
  for (let i = end - 1; i >= at; i--) {
    b[--to] = b[i];
    if (b[i] === 0x22) b[--to] = 0x22;
  }
  b[at] = 0x22;
  out.length = end + quotes + 2;
}

function contains(buffer: Uint8Array, at: number, end: number, needle: Uint8Array): boolean {
  const n = needle.length;
  if (n === 0) return true; // strstr finds an empty separator everywhere
  const first = needle[0];
  for (let i = at; i + n <= end; i++) {
    if (buffer[i] !== first) continue;
    let k = 1;
    while (k < n && buffer[i + k] === needle[k]) k++;
    if (k === n) return true;
  }
  return false;
}

/** The csv mode straight from SQLite's bytes, as `printListRows` does for list. */
export async function printCsvRows(
  statement: Statement,
  stepper: Stepper,
  names: string[],
  settings: FormatSettings,
  sink: Sink,
): Promise<unknown> {
  const colSep = cText(settings.colSeparator);
  const rowSep = cText(settings.rowSeparator);
  const nullValue = cText(settings.nullValue);
  const out = new ByteBuffer();
  const last = names.length - 1;
  if (settings.headers) {
    names.forEach((name, i) => {
      const at = out.length;
      out.append(cText(name));
      quoteCsvCell(out, at, colSep);
      out.append(i === last ? rowSep : colSep);
    });
  }
  let failure: unknown = null;
  try {
    for (;;) {
      for (let i = 0; i <= last; i++) {
        const at = out.length;
        if (statement.appendText(i, out)) quoteCsvCell(out, at, colSep);
        else out.append(nullValue);
        out.append(i === last ? rowSep : colSep);
      }
      if (out.length >= FLUSH_AT) sink.write(out.take());
      let more = stepper.next();
      if (typeof more !== "boolean") more = await more;
      if (!more) break;
    }
  } catch (error) {
    failure = error;
  }
  if (out.length > 0) sink.write(out.take());
  return failure;
}
