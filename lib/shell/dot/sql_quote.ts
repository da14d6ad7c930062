/**
 * Identifier and literal quoting the way sqlite3 3.40's shell does it: `quoteChar` decides
 * whether a name needs double quotes (against 3.40's keyword list, not the engine's), and
 * the `%Q` / `%w` helpers mirror sqlite3_mprintf's conversions.
 */
import { identifierNeedsQuote } from "../format/values.ts";

/** `"` when sqlite3 would quote `name` (not a plain identifier, or a keyword), else `""`. */
export function quoteChar(name: string): '"' | "" {
  return identifierNeedsQuote(name) ? '"' : "";
}

/** `text` wrapped in `quote`, with every `quote` inside doubled (the shell's appendText). */
export function wrapQuoted(text: string, quote: string): string {
  if (quote === "") return text;
  return quote + text.split(quote).join(quote + quote) + quote;
}

/** `name`, double-quoted only when sqlite3 would quote it. */
export function quoteIfNeeded(name: string): string {
  return wrapQuoted(name, quoteChar(name));
}

/** sqlite3_mprintf's `%Q`: a single-quoted SQL string literal. */
export function sqlLiteral(text: string): string {
  return wrapQuoted(text, "'");
}

/** sqlite3_mprintf's `"%w"`: an always double-quoted identifier. */
export function sqlIdentifier(name: string): string {
  return wrapQuoted(name, '"');
}

/** Upper-case ASCII letters only, as sqlite3_stricmp compares. */
export function asciiUpper(text: string): string {
  return text.replace(/[a-z]+/g, (s) => s.toUpperCase());
}
