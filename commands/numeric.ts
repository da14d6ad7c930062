/**
 * The numeric options of the script commands (`cas ls --limit`, `cas gc --max-bytes`,
 * `bundle gc --keep`…), read in one place; ages (`bundle gc --older-than`) are read in
 * bundle/gc.ts beside the registry that parses them, which `cas ls` need not load. They are
 * declared as text: a number type would turn "1e99" into 1e+99, "0x10" into 16 and "abc"
 * into NaN before any check could see what was typed. lib/ parses the text and refuses
 * what it cannot take.
 */
import { parseCount, singleValue } from "../lib/numbers.ts";
import { parseBytes } from "../lib/size.ts";

/** `--flag N`: a whole number from 0 to 2^53-1, or undefined when not given. */
export function countArg(value: string | string[] | undefined, flag: string): number | undefined {
  return value === undefined ? undefined : parseCount(singleValue(value, flag), flag);
}

/** `--flag SIZE` (`512MiB`, `1048576`) in bytes, or undefined when not given. */
export function sizeArg(value: string | string[] | undefined, flag: string): number | undefined {
  return value === undefined ? undefined : parseBytes(singleValue(value, flag), flag);
}
