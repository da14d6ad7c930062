/**
 * The numeric options of the script commands (`cas ls --limit`, `cas gc --max-bytes`,
 * `bundle gc --keep`…), declared and read in one place. They are declared as text: a number
 * type would turn "1e99" into 1e+99, "0x10" into 16 and "abc" into NaN before any
 * check could see what was typed. lib/ parses the text and refuses what it cannot take.
 */
import { parseCount, singleValue } from "../lib/numbers.ts";
import { parseBytes } from "../lib/size.ts";
import { parseAge } from "../lib/bundle/registry.ts";

/** `--flag N`: a whole number from 0 to 2^53-1, or undefined when not given. */
export function countArg(value: string | string[] | undefined, flag: string): number | undefined {
  return value === undefined ? undefined : parseCount(singleValue(value, flag), flag);
}

/** `--flag SIZE` (`512MiB`, `1048576`) in bytes, or undefined when not given. */
export function sizeArg(value: string | string[] | undefined, flag: string): number | undefined {
  return value === undefined ? undefined : parseBytes(singleValue(value, flag), flag);
}

/** `--flag AGE` (`30d`, `12h`) in milliseconds, or undefined when not given. */
export function ageArg(value: string | string[] | undefined, flag: string): number | undefined {
  return value === undefined ? undefined : parseAge(singleValue(value, flag), flag);
}
