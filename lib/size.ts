/** Byte sizes as people write them (`512MiB`, `1G`, `1048576`) and as sqlink prints them. */
import { UsageError } from "./errors.ts";
import { MAX_WHOLE } from "./numbers.ts";

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

const SIZE_HINT = "Give a number of bytes, optionally with a unit: 1048576, 512MiB, 1GiB, 500MB";

/**
 * Parse a size such as `1GiB`, `500MB`, `1.5k` or `1048576`; `what` names it in errors (the
 * option or variable it came from) and `hint` says what to do. A fraction needs a unit (a byte is whole), and no size
 * may come to more than 2^53-1 bytes once its unit is applied.
 */
export function parseBytes(text: string, what = "size", hint = SIZE_HINT): number {
  const match = /^\s*(\d+(?:\.(\d+))?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = match ? UNITS[match[3].toLowerCase()] : undefined;
  if (!match || unit === undefined || (unit === 1 && match[2] !== undefined)) {
    throw new UsageError(
      `Invalid ${what} "${text}": expected a number of bytes, with a unit or without`,
      {
        hint,
      },
    );
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes)) {
    throw new UsageError(`Invalid ${what} "${text}": expected at most ${MAX_WHOLE} bytes`, {
      hint,
    });
  }
  return bytes;
}

/** A short human size: `0 B`, `4.0 KiB`, `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
