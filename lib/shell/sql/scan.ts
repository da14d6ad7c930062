/**
 * Where SQL statements end, decided exactly as SQLite decides it: `sqlite3_complete`'s
 * token classes and state machine (so `;` inside strings, comments and the body of a
 * `CREATE TRIGGER … BEGIN … END` does not end a statement), reimplemented because
 * node:sqlite exposes neither it nor the tail of a prepared statement.
 */

const SEMI = 0, WS = 1, OTHER = 2, EXPLAIN = 3, CREATE = 4, TEMP = 5, TRIGGER = 6, END = 7;

// Rows: states (0 invalid, 1 start, 2 normal, 3 explain, 4 create, 5 trigger, 6 semi,
// 7 end); columns: the token classes above. A statement is complete in state 1.
const TRANSITIONS = [
  [1, 0, 2, 3, 4, 2, 2, 2],
  [1, 1, 2, 3, 4, 2, 2, 2],
  [1, 2, 2, 2, 2, 2, 2, 2],
  [1, 3, 3, 2, 4, 2, 2, 2],
  [1, 4, 2, 2, 2, 4, 5, 2],
  [6, 5, 5, 5, 5, 5, 5, 5],
  [6, 6, 5, 5, 5, 5, 5, 7],
  [1, 7, 5, 5, 5, 5, 5, 5],
];

/** True for the characters SQLite's tokenizer treats as part of an identifier. */
export function isIdChar(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) || code === 0x5f || code === 0x24 || code >= 0x80;
}

/** True for SQLite's (and C's) ASCII white space. */
export function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** One token as `sqlite3_complete` classifies it. */
interface Token {
  kind: number;
  start: number;
  end: number;
}

/**
 * The next token of `sql` at `at`, or null at the end; `kind` is -1 for an unterminated
 * string, identifier or block comment (which can never be complete).
 */
function nextToken(sql: string, at: number): Token | null {
  if (at >= sql.length) return null;
  const c = sql.charCodeAt(at);
  const start = at;
  if (c === 0x3b) return { kind: SEMI, start, end: at + 1 };
  if (isSpace(c)) {
    while (at < sql.length && isSpace(sql.charCodeAt(at))) at++;
    return { kind: WS, start, end: at };
  }
  if (c === 0x2f && sql.charCodeAt(at + 1) === 0x2a) {
    const close = sql.indexOf("*/", at + 2);
    return close < 0 ? { kind: -1, start, end: sql.length } : { kind: WS, start, end: close + 2 };
  }
  if (c === 0x2d && sql.charCodeAt(at + 1) === 0x2d) {
    const nl = sql.indexOf("\n", at + 2);
    return { kind: WS, start, end: nl < 0 ? sql.length : nl + 1 };
  }
  if (c === 0x5b) {
    const close = sql.indexOf("]", at + 1);
    return close < 0
      ? { kind: -1, start, end: sql.length }
      : { kind: OTHER, start, end: close + 1 };
  }
  if (c === 0x60 || c === 0x22 || c === 0x27) {
    // A doubled quote inside is two adjacent strings to this scan, which is equivalent.
    const close = sql.indexOf(sql[at], at + 1);
    return close < 0
      ? { kind: -1, start, end: sql.length }
      : { kind: OTHER, start, end: close + 1 };
  }
  if (isIdChar(c)) {
    while (at < sql.length && isIdChar(sql.charCodeAt(at))) at++;
    return { kind: keywordClass(sql.slice(start, at)), start, end: at };
  }
  return { kind: OTHER, start, end: at + 1 };
}

function keywordClass(word: string): number {
  switch (word.length) {
    case 3:
      return word.toLowerCase() === "end" ? END : OTHER;
    case 4:
      return word.toLowerCase() === "temp" ? TEMP : OTHER;
    case 6:
      return word.toLowerCase() === "create" ? CREATE : OTHER;
    case 7: {
      const lower = word.toLowerCase();
      return lower === "trigger" ? TRIGGER : lower === "explain" ? EXPLAIN : OTHER;
    }
    case 9:
      return word.toLowerCase() === "temporary" ? TEMP : OTHER;
    default:
      return OTHER;
  }
}

/** `sqlite3_complete`: true when `sql` ends with a `;` that ends a statement. */
export function sqlComplete(sql: string): boolean {
  let state = 0;
  for (let t = nextToken(sql, 0); t; t = nextToken(sql, t.end)) {
    if (t.kind < 0) return false;
    state = TRANSITIONS[state][t.kind];
  }
  return state === 1;
}

/** One statement cut from a longer SQL text. */
export interface StatementSlice {
  /** The statement, from its first non-space character through its `;` (if any). */
  sql: string;
  /** Offset of `sql` in the whole text. */
  start: number;
  /** Offset just past it. */
  end: number;
  /** True when it holds nothing but white space, comments and the `;`: never prepare it. */
  blank: boolean;
}

/**
 * The statement that starts at (or after white space from) `from`, cut where SQLite's
 * parser would end it; null when only white space remains.
 */
export function nextStatement(text: string, from: number): StatementSlice | null {
  let start = from;
  while (start < text.length && isSpace(text.charCodeAt(start))) start++;
  if (start >= text.length) return null;
  let state = 0;
  let blank = true;
  let t = nextToken(text, start);
  let end = text.length;
  for (; t; t = nextToken(text, t.end)) {
    if (t.kind < 0) break;
    if (t.kind !== WS && t.kind !== SEMI) blank = false;
    state = TRANSITIONS[state][t.kind];
    if (state === 1 && t.kind === SEMI) {
      end = t.end;
      break;
    }
  }
  // An unterminated block comment at the end is a comment all the same: nothing to prepare.
  if (t && t.kind < 0 && !text.startsWith("/*", t.start)) blank = false;
  return { sql: text.slice(start, end), start, end, blank };
}

/**
 * What kind of EXPLAIN a statement is, as `sqlite3_stmt_isexplain` reports it: 0 none,
 * 1 `EXPLAIN`, 2 `EXPLAIN QUERY PLAN`.
 */
export function explainKind(sql: string): 0 | 1 | 2 {
  const words: string[] = [];
  for (let t = nextToken(sql, 0); t && words.length < 3; t = nextToken(sql, t.end)) {
    if (t.kind === WS) continue;
    if (t.kind < 0) break;
    words.push(sql.slice(t.start, t.end).toLowerCase());
  }
  if (words[0] !== "explain") return 0;
  return words[1] === "query" && words[2] === "plan" ? 2 : 1;
}

/** Each token's text and offset, white space and comments left out (for error locations). */
export function tokens(sql: string): { text: string; start: number }[] {
  const found: { text: string; start: number }[] = [];
  for (let t = nextToken(sql, 0); t; t = nextToken(sql, t.end)) {
    if (t.kind !== WS) found.push({ text: sql.slice(t.start, t.end), start: t.start });
  }
  return found;
}

/** The quick per-line scan sqlite3 runs over input lines (its `QuickScanState`). */
export interface LineScan {
  /** The quote or comment the text is inside at the end of the line, or "" for none. */
  waitFor: string;
  /** Some character outside white space and comments was seen. */
  hasDark: boolean;
  /** The last such character was a `;`. */
  endsWithSemi: boolean;
}

/** The state before any input. */
export const SCAN_START: LineScan = { waitFor: "", hasDark: false, endsWithSemi: false };

/** Continue the quick scan over one more line (sqlite3's `quickscan`). */
export function quickScan(line: string, prior: LineScan): LineScan {
  let { waitFor, hasDark, endsWithSemi } = prior;
  let i = 0;
  while (i < line.length) {
    if (waitFor !== "") {
      const close = waitFor === "*" ? line.indexOf("*/", i) : line.indexOf(waitFor, i);
      if (close < 0) return { waitFor, hasDark, endsWithSemi };
      if (waitFor === "*") {
        i = close + 2;
      } else if (waitFor !== "]" && line[close + 1] === waitFor) {
        i = close + 2;
        continue;
      } else {
        i = close + 1;
      }
      waitFor = "";
      continue;
    }
    const c = line[i++];
    if (isSpace(c.charCodeAt(0))) continue;
    if (c === "-" && line[i] === "-") {
      const nl = line.indexOf("\n", i);
      if (nl < 0) return { waitFor, hasDark, endsWithSemi };
      i = nl + 1;
      continue;
    }
    if (c === ";") {
      endsWithSemi = true;
      continue;
    }
    if (c === "/" && line[i] === "*") {
      i++;
      waitFor = "*";
      continue;
    }
    if (c === "[" || c === "`" || c === "'" || c === '"') {
      waitFor = c === "[" ? "]" : c;
      hasDark = true;
      endsWithSemi = false;
      continue;
    }
    hasDark = true;
    endsWithSemi = false;
  }
  return { waitFor, hasDark, endsWithSemi };
}
