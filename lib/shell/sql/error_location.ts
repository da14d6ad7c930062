/**
 * Where in a statement an error is, and sqlite3's "error here" picture of it. SQLite keeps
 * the offset (`sqlite3_error_offset`), but node:sqlite does not pass it on, so it is
 * recovered from the message: the token it names, confirmed by re-preparing prefixes.
 */
import type { DatabaseSync } from "node:sqlite";
import { tokens } from "./scan.ts";

/**
 * The offset (in UTF-16 units of `sql`) of the token an error message points at, or -1
 * when sqlite3 3.40 shows no location for that kind of error.
 */
export function errorOffset(db: DatabaseSync, sql: string, message: string): number {
  let m = /^near "(.*)": syntax error$/s.exec(message);
  if (m) return syntaxErrorOffset(db, sql, message, m[1]);
  m = /^unrecognized token: "(.*)"$/s.exec(message);
  if (m) return sql.indexOf(m[1]);
  m = /^no such column: (.*)$/s.exec(message);
  if (m) return nameOffset(sql, m[1].split("."), false);
  m = /^no such function: (.*)$/s.exec(message);
  if (m) return nameOffset(sql, [m[1]], true);
  return -1;
}

function syntaxErrorOffset(db: DatabaseSync, sql: string, message: string, near: string) {
  const candidates = tokens(sql).filter((t) => t.text === near);
  // The failing token is the first one at which parsing the text up to it already fails
  // the same way; prepare never runs anything.
  for (const candidate of candidates) {
    try {
      db.prepare(sql.slice(0, candidate.start + near.length));
    } catch (error) {
      if ((error as Error).message === message) return candidate.start;
    }
  }
  return candidates.length > 0 ? candidates[0].start : -1;
}

function nameOffset(sql: string, parts: string[], call: boolean): number {
  const list = tokens(sql);
  const wanted = parts.map((p) => p.toLowerCase());
  for (let i = 0; i < list.length; i++) {
    let j = 0;
    let at = i;
    while (j < wanted.length && at < list.length && unquote(list[at].text) === wanted[j]) {
      j++;
      at++;
      if (j < wanted.length) {
        if (list[at]?.text !== ".") break;
        at++;
      }
    }
    if (j === wanted.length && (!call || list[at]?.text === "(")) return list[i].start;
  }
  return -1;
}

function unquote(token: string): string {
  const first = token[0];
  if (first === '"' || first === "`" || first === "'") {
    return token.slice(1, -1).replaceAll(first + first, first).toLowerCase();
  }
  if (first === "[") return token.slice(1, -1).toLowerCase();
  return token.toLowerCase();
}

/**
 * sqlite3's picture of an error location: the statement (at most 78 bytes of it, starting
 * up to 50 bytes before the offset) and a marker under the offending token.
 */
export function errorContext(sql: string, offset: number): string {
  if (offset < 0) return "";
  const encoder = new TextEncoder();
  const bytes = encoder.encode(sql);
  let at = encoder.encode(sql.slice(0, offset)).length;
  let from = 0;
  while (at > 50) {
    at--;
    from++;
    while ((bytes[from] & 0xc0) === 0x80) {
      from++;
      at--;
    }
  }
  const rest = bytes.subarray(from);
  let length = rest.length;
  if (length > 78) {
    length = 78;
    while ((rest[length] & 0xc0) === 0x80) length--;
  }
  const shown = rest.slice(0, length).map((b) => (b === 0x20 || (b >= 9 && b <= 13) ? 0x20 : b));
  const code = new TextDecoder().decode(shown);
  return at < 25
    ? `\n  ${code}\n  ${" ".repeat(at)}^--- error here`
    : `\n  ${code}\n  ${" ".repeat(at - 14)}error here ---^`;
}
