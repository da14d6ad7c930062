/**
 * One value as sqlite3 3.40 prints it: its plain text, and the quoted forms of the SQL,
 * JSON, CSV, HTML and Tcl modes. Everything works on bytes and appends to a
 * {@linkcode ByteWriter}; text is cut at its first NUL wherever sqlite3 handles it as a C
 * string, and blobs go out raw unless a mode quotes them.
 */
import type { SqlValue } from "../value.ts";
import { ByteWriter, cString, cText, indexOfBytes, utf8 } from "./bytes.ts";
import { isKeyword } from "./keywords.ts";
import { realLiteral, realText } from "./real.ts";

const QUOTE = 0x27;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const NL = 0x0a;
const CR = 0x0d;
const HEX = "0123456789abcdef";

/** `sqlite3_column_text` as 3.40 gives it, cut at the first NUL; null for NULL. */
export function columnText(value: SqlValue): Uint8Array | null {
  if (value === null) return null;
  if (typeof value === "bigint") return utf8(value.toString());
  if (typeof value === "number") return utf8(realText(value));
  if (typeof value === "string") return cText(value);
  return cString(value);
}

/** `value` as printed by the text modes (list, line, html, …): `null` → `nullValue`. */
export function displayText(value: SqlValue, nullValue: Uint8Array): Uint8Array {
  return columnText(value) ?? nullValue;
}

/** sqlite3's `output_quoted_string`: `'…'` with single quotes doubled. */
export function writeSqlString(w: ByteWriter, z: Uint8Array): void {
  w.byte(QUOTE);
  let start = 0;
  for (let i = 0; i < z.length; i++) {
    if (z[i] !== QUOTE) continue;
    w.bytes(z.subarray(start, i + 1)).byte(QUOTE);
    start = i + 1;
  }
  w.bytes(z.subarray(start)).byte(QUOTE);
}

/** sqlite3's `unused_string`: `a`, else `b`, else the first `(aN)` not found in `z`. */
function unusedString(z: Uint8Array, a: string, b: string): string {
  if (indexOfBytes(z, utf8(a)) < 0) return a;
  if (indexOfBytes(z, utf8(b)) < 0) return b;
  for (let i = 0;; i++) {
    const candidate = `(${a}${i})`;
    if (indexOfBytes(z, utf8(candidate)) < 0) return candidate;
  }
}

/**
 * sqlite3's `output_quoted_escaped_string` (insert mode): like {@linkcode writeSqlString},
 * but newlines and carriage returns become `\n`/`\r` markers inside `replace(…)` calls so
 * the statement survives end-of-line translation.
 */
export function writeSqlStringEscaped(w: ByteWriter, z: Uint8Array): void {
  let nl = 0;
  let cr = 0;
  for (const c of z) {
    if (c === NL) nl++;
    else if (c === CR) cr++;
  }
  if (nl === 0 && cr === 0) return writeSqlString(w, z);
  const nlMark = nl ? unusedString(z, "\\n", "\\012") : "";
  const crMark = cr ? unusedString(z, "\\r", "\\015") : "";
  if (nl) w.text("replace(");
  if (cr) w.text("replace(");
  w.byte(QUOTE);
  let start = 0;
  for (let i = 0; i < z.length; i++) {
    const c = z[i];
    if (c === QUOTE) {
      w.bytes(z.subarray(start, i + 1)).byte(QUOTE);
      start = i + 1;
    } else if (c === NL || c === CR) {
      w.bytes(z.subarray(start, i)).text(c === NL ? nlMark : crMark);
      start = i + 1;
    }
  }
  w.bytes(z.subarray(start)).byte(QUOTE);
  if (cr) w.text(`,'${crMark}',char(13))`);
  if (nl) w.text(`,'${nlMark}',char(10))`);
}

/** sqlite3's `output_c_string` (tcl mode): `"…"` with C escapes, octal for the unprintable. */
export function writeCString(w: ByteWriter, z: Uint8Array): void {
  w.byte(DQUOTE);
  for (const c of z) {
    if (c === BACKSLASH) w.byte(BACKSLASH).byte(BACKSLASH);
    else if (c === DQUOTE) w.byte(BACKSLASH).byte(DQUOTE);
    else if (c === 0x09) w.text("\\t");
    else if (c === NL) w.text("\\n");
    else if (c === CR) w.text("\\r");
    // isprint() in the C locale, which sqlite3 never leaves: UTF-8 bytes come out octal.
    else if (c < 0x20 || c > 0x7e) w.text("\\" + c.toString(8).padStart(3, "0"));
    else w.byte(c);
  }
  w.byte(DQUOTE);
}

/** `output_c_string` as text, for messages (`.show`, `.import -v`); text is UTF-8 encoded first. */
export function cStringText(z: Uint8Array | string): string {
  const w = new ByteWriter();
  writeCString(w, typeof z === "string" ? utf8(z) : z);
  return new TextDecoder().decode(w.take());
}

/** sqlite3's `output_json_string`: `"…"` with JSON escapes for `"`, `\` and control bytes. */
export function writeJsonString(w: ByteWriter, z: Uint8Array): void {
  w.byte(DQUOTE);
  for (const c of z) {
    if (c === BACKSLASH || c === DQUOTE) w.byte(BACKSLASH).byte(c);
    else if (c > 0x1f) w.byte(c);
    else if (c === 0x08) w.text("\\b");
    else if (c === 0x0c) w.text("\\f");
    else if (c === NL) w.text("\\n");
    else if (c === CR) w.text("\\r");
    else if (c === 0x09) w.text("\\t");
    else w.text("\\u" + c.toString(16).padStart(4, "0"));
  }
  w.byte(DQUOTE);
}

const HTML_ENTITIES: Record<number, string> = {
  0x3c: "&lt;",
  0x26: "&amp;",
  0x3e: "&gt;",
  0x22: "&quot;",
  0x27: "&#39;",
};

/** sqlite3's `output_html_string`: `< & > " '` as entities. */
export function writeHtml(w: ByteWriter, z: Uint8Array): void {
  let start = 0;
  for (let i = 0; i < z.length; i++) {
    const entity = HTML_ENTITIES[z[i]];
    if (entity === undefined) continue;
    w.bytes(z.subarray(start, i)).text(entity);
    start = i + 1;
  }
  w.bytes(z.subarray(start));
}

/** sqlite3's `needCsvQuote`: control bytes, space, `"`, `'`, DEL and every non-ASCII byte. */
function needsCsvQuote(c: number): boolean {
  return c <= 0x20 || c === DQUOTE || c === QUOTE || c >= 0x7f;
}

/**
 * sqlite3's `output_csv` without the separator: NULL as `nullValue` unquoted; a value that
 * is empty, holds a byte of `needCsvQuote` or contains `separator` in `"…"` with `"` doubled.
 */
export function writeCsv(
  w: ByteWriter,
  z: Uint8Array | null,
  separator: Uint8Array,
  nullValue: Uint8Array,
): void {
  if (z === null) {
    w.bytes(nullValue);
    return;
  }
  if (z.length > 0 && !z.some(needsCsvQuote) && indexOfBytes(z, separator) < 0) {
    w.bytes(z);
    return;
  }
  w.byte(DQUOTE);
  let start = 0;
  for (let i = 0; i < z.length; i++) {
    if (z[i] !== DQUOTE) continue;
    w.bytes(z.subarray(start, i + 1)).byte(DQUOTE);
    start = i + 1;
  }
  w.bytes(z.subarray(start)).byte(DQUOTE);
}

/** A blob as hex digits, lower case. */
function hex(blob: Uint8Array): string {
  let s = "";
  for (const b of blob) s += HEX[b >> 4] + HEX[b & 15];
  return s;
}

/** sqlite3's `output_hex_blob`: `X'…'`. */
export function writeHexBlob(w: ByteWriter, blob: Uint8Array): void {
  w.text(`X'${hex(blob)}'`);
}

/** A REAL as insert and json modes write it: `%!.20g`, `N.0` when integral, `±1e999` for ∞. */
export function realSqlLiteral(r: number): string {
  if (r === Infinity) return "1e999";
  if (r === -Infinity) return "-1e999";
  return realLiteral(r);
}

/** What C's `(sqlite3_int64)r` gives on x86-64: truncation, or INT64_MIN when out of range. */
function toInt64(r: number): bigint {
  if (!(r >= -9223372036854775808 && r < 9223372036854775808)) return -9223372036854775808n;
  return BigInt(Math.trunc(r));
}

/** A REAL as insert mode writes it: integral values as `%lld.0`, others as `%!.20g`. */
export function realInsertLiteral(r: number): string {
  if (r === Infinity || r === -Infinity) return realSqlLiteral(r);
  const i = toInt64(r);
  return Number(i) === r ? `${i}.0` : realLiteral(r);
}

/** One value as quote mode writes it (`NULL`, `'text'`, `X'blob'`, `%!.20g` REALs). */
export function writeQuoteValue(w: ByteWriter, value: SqlValue): void {
  if (value === null) w.text("NULL");
  else if (typeof value === "string") writeSqlString(w, cText(value));
  else if (typeof value === "bigint") w.text(value.toString());
  else if (typeof value === "number") w.text(realLiteral(value));
  else writeHexBlob(w, value);
}

/** One value as insert mode writes it; `keepNewlines` is `.dump --newlines`. */
export function writeInsertValue(w: ByteWriter, value: SqlValue, keepNewlines = false): void {
  if (value === null) w.text("NULL");
  else if (typeof value === "string") {
    if (keepNewlines) writeSqlString(w, cText(value));
    else writeSqlStringEscaped(w, cText(value));
  } else if (typeof value === "bigint") w.text(value.toString());
  else if (typeof value === "number") w.text(realInsertLiteral(value));
  else writeHexBlob(w, value);
}

/** One value as json mode writes it; a blob becomes a JSON string of all its bytes. */
export function writeJsonValue(w: ByteWriter, value: SqlValue): void {
  if (value === null) w.text("null");
  else if (typeof value === "string") writeJsonString(w, cText(value));
  else if (typeof value === "bigint") w.text(value.toString());
  else if (typeof value === "number") w.text(realSqlLiteral(value));
  else writeJsonString(w, value);
}

/** sqlite3's `quoted_column` (`--quote` in columnar modes): `%!.15g` REALs, `x'…'` blobs. */
export function quotedColumnText(value: SqlValue): Uint8Array {
  if (value === null) return utf8("NULL");
  if (typeof value === "string") {
    const w = new ByteWriter();
    writeSqlString(w, cText(value));
    return w.take();
  }
  if (value instanceof Uint8Array) return utf8(`x'${hex(value)}'`);
  return columnText(value)!;
}

function isAsciiAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isAsciiDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** sqlite3's `quoteChar`: whether an identifier must be double-quoted (odd characters, keywords). */
export function identifierNeedsQuote(name: string): boolean {
  const z = cText(name);
  if (z.length === 0 || (!isAsciiAlpha(z[0]) && z[0] !== 0x5f)) return true;
  for (const c of z) if (!isAsciiAlpha(c) && !isAsciiDigit(c) && c !== 0x5f) return true;
  return isKeyword(name);
}

/** `name` double-quoted (with `"` doubled) when sqlite3 would quote it, else as is. */
export function quoteIdentifier(name: string): string {
  return identifierNeedsQuote(name) ? `"${name.replaceAll('"', '""')}"` : name;
}
