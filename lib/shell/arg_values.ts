/**
 * How sqlite3 reads numbers and booleans from dot-command and option arguments (its
 * `integerValue` and `booleanValue`), shared by every command that takes one.
 */

const SUFFIXES: [string, bigint][] = [
  ["KiB", 1024n],
  ["MiB", 1024n * 1024n],
  ["GiB", 1024n * 1024n * 1024n],
  ["KB", 1000n],
  ["MB", 1000000n],
  ["GB", 1000000000n],
  ["K", 1000n],
  ["M", 1000000n],
  ["G", 1000000000n],
];

/** sqlite3's `integerValue`: decimal or `0x` hex, an optional KiB/MB/K… suffix, 64-bit wrap. */
export function integerValue(arg: string): bigint {
  let s = arg;
  let negative = false;
  if (s.startsWith("-")) {
    negative = true;
    s = s.slice(1);
  } else if (s.startsWith("+")) {
    s = s.slice(1);
  }
  let v = 0n;
  const digits = s.startsWith("0x") ? /^[0-9a-fA-F]*/.exec(s.slice(2))![0] : /^[0-9]*/.exec(s)![0];
  if (s.startsWith("0x")) {
    for (const d of digits) v = BigInt.asIntN(64, (v << 4n) + BigInt(parseInt(d, 16)));
    s = s.slice(2 + digits.length);
  } else {
    for (const d of digits) v = BigInt.asIntN(64, v * 10n + BigInt(d));
    s = s.slice(digits.length);
  }
  const suffix = SUFFIXES.find(([name]) => name.toLowerCase() === s.toLowerCase());
  if (suffix) v = BigInt.asIntN(64, v * suffix[1]);
  return negative ? BigInt.asIntN(64, -v) : v;
}

/**
 * sqlite3's `booleanValue`: a number (its low 32 bits), on/yes (1) or off/no (0); anything
 * else is 0 with a warning for standard error.
 */
export function booleanValue(arg: string): { value: number; warning: string } {
  const numeric = arg.startsWith("0x") ? /^0x[0-9a-fA-F]*$/.test(arg) : /^[0-9]+$/.test(arg);
  if (numeric) return { value: Number(BigInt.asIntN(32, integerValue(arg))), warning: "" };
  const lower = arg.toLowerCase();
  if (lower === "on" || lower === "yes") return { value: 1, warning: "" };
  if (lower === "off" || lower === "no") return { value: 0, warning: "" };
  return { value: 0, warning: `ERROR: Not a boolean value: "${arg}". Assuming "no".\n` };
}

/** `(int)integerValue(arg)`, the C cast sqlite3 applies for widths, timeouts and exit codes. */
export function intValue(arg: string): number {
  return Number(BigInt.asIntN(32, integerValue(arg)));
}

/** sqlite3 keeps separators and the null text in 20-byte buffers: 19 bytes and a NUL. */
export function clip19(text: string): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= 19) return text;
  let end = 19;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}
