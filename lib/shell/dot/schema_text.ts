/**
 * How sqlite3 3.40 prints a schema statement: `.schema`, `.fullschema` and `.dump` end each
 * one with `;`, close a trailing comment first, and turn `CREATE TABLE "x"` into
 * `CREATE TABLE IF NOT EXISTS "x"`; `--indent` re-flows long definitions one column per line.
 */
import { sqlComplete } from "../sql/scan.ts";

/** sqlite3's printSchemaLine: `sql` followed by `tail`, as the shell writes it. */
export function schemaLine(sql: string, tail: string): string {
  let text = sql;
  if (tail.startsWith(";") && (text.includes("/*") || text.includes("--"))) {
    // A statement ending in a comment would swallow the `;`: close the comment first.
    for (const terminator of ["", "*/", "\n"]) {
      if (sqlComplete(text + terminator + ";")) {
        text += terminator;
        break;
      }
    }
  }
  if (/^CREATE TABLE ['"]/.test(text)) {
    return "CREATE TABLE IF NOT EXISTS " + text.slice(13) + tail;
  }
  return text + tail;
}

/** sqlite3's MODE_Pretty rendering of one schema statement (`.schema --indent`). */
export function prettySchema(sql: string): string {
  if (/^CREATE VIEW/i.test(sql) || /^CREATE TRIG/i.test(sql)) return sql + ";\n";
  const compact = squeezeSpaces(sql);
  if (utf8Length(compact) < 79) return schemaLine(compact, ";\n");
  let out = "";
  let line = "";
  let closing = "";
  let depth = 0;
  let lines = 0;
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i];
    // Like sqlite3, quotes do not hide parentheses: only the line breaking waits for them.
    if (c === closing) {
      closing = "";
    } else if (c === '"' || c === "'" || c === "`") {
      closing = c;
    } else if (c === "[") {
      closing = "]";
    } else if (c === "-" && compact[i + 1] === "-") {
      closing = "\n";
    } else if (c === "(") {
      depth++;
    } else if (c === ")") {
      depth--;
      if (lines > 0 && depth === 0 && line !== "") {
        out += schemaLine(line, "\n");
        line = "";
      }
    }
    line += c;
    if (
      depth === 1 && closing === "" &&
      (c === "(" || c === "\n" || (c === "," && !blankToEndOfLine(compact, i + 1)))
    ) {
      if (c === "\n") line = line.slice(0, -1);
      out += schemaLine(line, "\n  ");
      line = "";
      lines++;
      while (isSpace(compact[i + 1])) i++;
    }
  }
  return out + schemaLine(line, ";\n");
}

/** Collapse runs of white space, drop it after `(` and before `(`/`)`, and trim both ends. */
function squeezeSpaces(sql: string): string {
  const chars: string[] = [];
  let i = 0;
  while (isSpace(sql[i])) i++;
  for (; i < sql.length; i++) {
    const c = sql[i];
    const last = chars[chars.length - 1];
    if (isSpace(c)) {
      if (last === "\r") chars[chars.length - 1] = "\n";
      if (isSpace(chars[chars.length - 1]) || last === "(") continue;
    } else if ((c === "(" || c === ")") && chars.length > 0 && isSpace(last)) {
      chars.pop();
    }
    chars.push(c);
  }
  while (chars.length > 0 && isSpace(chars[chars.length - 1])) chars.pop();
  return chars.join("");
}

/** True when only white space or a `--` comment follows `from` on its line. */
function blankToEndOfLine(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") return true;
    if (isSpace(c)) continue;
    return c === "-" && text[i + 1] === "-";
  }
  return true;
}

function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
}

/** The UTF-8 length of `text` in bytes (sqlite3 measures widths in bytes). */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) n += 1;
    else if (code < 0x800) n += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
