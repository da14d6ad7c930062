/**
 * What Tab offers at the prompt: dot-command names at the start of a dot-command line,
 * otherwise SQL keywords and the names of tables, views and columns. Pure: the schema
 * comes from the caller, as functions so it is read only when a name can be completed.
 */
import { isSqlKeyword, SQL_KEYWORDS } from "./sql_keywords.ts";

/** Replace `lineBeforeCursor.slice(start)` with one of `candidates`. */
export interface Completion {
  /** Where the text being completed starts. */
  start: number;
  /** What it may become, sorted, without duplicates; empty when nothing fits. */
  candidates: string[];
}

/** Where completion finds names. */
export interface CompletionSource {
  /** Dot-command names, with or without the leading dot (`tables`, `.tables`). */
  dotCommands: readonly string[];
  /** Table and view names of every attached database. */
  tables: () => readonly string[];
  /** Column names of those tables and views. */
  columns: () => readonly string[];
}

const ID_CHAR = /[A-Za-z0-9_$\u0080-\u{10FFFF}]/u;
const BARE_ID = /^[A-Za-z_\u0080-\u{10FFFF}][A-Za-z0-9_$\u0080-\u{10FFFF}]*$/u;
const CLOSING: Record<string, string> = { '"': '"', "`": "`", "[": "]" };

/**
 * The completions of the word that ends at the cursor.
 *
 * @example
 * ```ts
 * const source = { dotCommands: ["tables"], tables: () => ["things"], columns: () => [] };
 * completeInput(".ta", source); // { start: 0, candidates: [".tables"] }
 * completeInput("SEL", source); // { start: 0, candidates: ["SELECT"] }
 * ```
 */
export function completeInput(lineBeforeCursor: string, source: CompletionSource): Completion {
  const line = lineBeforeCursor;
  if (line.startsWith(".")) return completeDotCommand(line, source);
  const context = sqlContext(line);
  if (context.kind === "none") return { start: line.length, candidates: [] };
  if (context.kind === "quoted") {
    const prefix = line.slice(context.start + 1);
    return {
      start: context.start,
      candidates: matchingNames(prefix, source).map((name) => quoteWith(name, context.quote)),
    };
  }
  const start = wordStart(line);
  const word = line.slice(start);
  if (/^[0-9]/.test(word)) return { start: line.length, candidates: [] };
  const names = matchingNames(word, source).map(quoteIfNeeded);
  // After "x." only a name can follow, and an empty word would list every keyword.
  const keywords = word === "" || line[start - 1] === "."
    ? []
    : SQL_KEYWORDS.filter((k) => startsWithFolded(k, word)).map((k) => inCaseOf(word, k));
  return { start, candidates: sortedUnique([...keywords, ...names]) };
}

function completeDotCommand(line: string, source: CompletionSource): Completion {
  const space = line.search(/\s/);
  if (space < 0) {
    // sqlite3 matches dot-command names case-sensitively, so completion does too.
    const candidates = source.dotCommands
      .map((name) => name.startsWith(".") ? name : `.${name}`)
      .filter((name) => name.startsWith(line));
    return { start: 0, candidates: sortedUnique(candidates) };
  }
  // Most dot-command arguments that name something name a table (.schema, .dump, .indexes).
  const argStart = Math.max(line.lastIndexOf(" "), line.lastIndexOf("\t")) + 1;
  const arg = line.slice(argStart);
  const quote = arg[0] === '"' || arg[0] === "'" ? arg[0] : "";
  const prefix = arg.slice(quote.length);
  const tables = safeList(source.tables).filter((name) => startsWithFolded(name, prefix));
  const candidates = tables.map((name) =>
    quote !== "" ? `${quote}${name}${quote}` : /\s|["']/.test(name) ? `"${name}"` : name
  );
  return { start: argStart, candidates: sortedUnique(candidates) };
}

type SqlContext =
  | { kind: "plain" }
  | { kind: "none" }
  | { kind: "quoted"; start: number; quote: string };

/** Whether the cursor is in plain SQL, in a string or comment, or in a quoted name. */
function sqlContext(line: string): SqlContext {
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { kind: "none" };
      i = end + 1;
    } else if (c === "-" && line[i + 1] === "-") {
      return { kind: "none" };
    } else if (c === "/" && line[i + 1] === "*") {
      const end = line.indexOf("*/", i + 2);
      if (end < 0) return { kind: "none" };
      i = end + 2;
    } else if (c in CLOSING) {
      const end = line.indexOf(CLOSING[c], i + 1);
      if (end < 0) return { kind: "quoted", start: i, quote: c };
      i = end + 1;
    } else {
      i++;
    }
  }
  return { kind: "plain" };
}

function wordStart(line: string): number {
  let start = line.length;
  while (start > 0) {
    // Step back over a whole code point so a surrogate pair is never split.
    const low = line.charCodeAt(start - 1);
    const width = low >= 0xdc00 && low <= 0xdfff && start >= 2 ? 2 : 1;
    if (!ID_CHAR.test(line.slice(start - width, start))) break;
    start -= width;
  }
  return start;
}

function matchingNames(prefix: string, source: CompletionSource): string[] {
  const names = [...safeList(source.tables), ...safeList(source.columns)];
  return names.filter((name) => startsWithFolded(name, prefix));
}

/** A failing schema read must not break the prompt: it just offers no names. */
function safeList(list: () => readonly string[]): readonly string[] {
  try {
    return list();
  } catch {
    return [];
  }
}

function startsWithFolded(text: string, prefix: string): boolean {
  return text.length >= prefix.length &&
    text.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase();
}

/** `keyword` in the case the user is typing: "SEL" → "SELECT", "sel" → "select". */
function inCaseOf(typed: string, keyword: string): string {
  const upper = /[A-Z]/.test(typed) && !/[a-z]/.test(typed);
  return upper ? keyword : typed + keyword.slice(typed.length).toLowerCase();
}

function quoteIfNeeded(name: string): string {
  return BARE_ID.test(name) && !isSqlKeyword(name) ? name : quoteWith(name, '"');
}

function quoteWith(name: string, open: string): string {
  const close = CLOSING[open];
  // Inside "…" and `…` the quote character is doubled; […] cannot contain "]" at all.
  const body = open === "[" ? name : name.replaceAll(close, close + close);
  return `${open}${body}${close}`;
}

/** Sorted as a person reads them: letter case and opening quotes do not count. */
function sortedUnique(items: string[]): string[] {
  const key = (item: string) => item.replace(/^["`[]/, "").toLowerCase();
  return [...new Set(items)].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });
}
