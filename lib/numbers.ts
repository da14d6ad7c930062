/**
 * Whole numbers that people type, on the command line or in the environment: counts such as
 * `--limit 10`, and the bound every typed quantity (a count, a size, an age) stays within.
 * Past 2^53-1 a JavaScript number no longer counts by ones, and SQLite refuses a binding
 * such as 1e99 as a "datatype mismatch": both would turn a typing mistake into a failure
 * (or a silently different number) far from where it was typed.
 */
import { UsageError } from "./errors.ts";

/** The largest whole number a typed quantity may come to: 2^53-1. */
export const MAX_WHOLE = Number.MAX_SAFE_INTEGER;

/**
 * Parse a count: decimal digits only, from 0 to 2^53-1. A sign, fraction, exponent, hex
 * prefix, space or empty text is refused, since each would be read as some other number
 * than the one meant. `what` names where the text came from (`--limit`, a variable).
 *
 * @example
 * ```ts
 * parseCount("10", "--limit"); // 10
 * parseCount("1e99", "--limit"); // throws UsageError: Invalid --limit "1e99": expected …
 * ```
 */
export function parseCount(text: string, what: string): number {
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new UsageError(
      `Invalid ${what} "${text}": expected a whole number from 0 to ${MAX_WHOLE}`,
      { hint: `Give digits only, for example ${what} 10` },
    );
  }
  return n;
}

/**
 * The one text of an option that takes a single value: yargs hands over an array when the
 * option is repeated, and neither value is more right than the other.
 */
export function singleValue(value: string | string[], what: string): string {
  if (!Array.isArray(value)) return value;
  throw new UsageError(`Too many values for ${what}: ${value.join(", ")}`, {
    hint: `Give ${what} once`,
  });
}
