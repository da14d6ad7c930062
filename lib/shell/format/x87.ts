/**
 * Just enough x87 80-bit extended-precision arithmetic to replay SQLite 3.40's printf.
 *
 * SQLite 3.40 turns a REAL into text with its own `%g` code, which on x86-64 Linux keeps the
 * running value in a C `long double` (a 64-bit significand). The digits it prints past the
 * 16th, and its rounding at the 15th, come from that arithmetic, so the shell's `1.0e+23`
 * and `0.10000000000000000555` can only be matched by doing the same operations with the
 * same rounding (to nearest, ties to even, after every operation). Only non-negative values
 * occur there, so there is no sign.
 */

/** A non-negative extended-precision value `m * 2^e`, `m` 0 or in [2^63, 2^64). */
export interface Ext {
  m: bigint;
  e: number;
}

const TOP = 1n << 64n;
const ZERO: Ext = { m: 0n, e: 0 };

function bitLength(m: bigint): number {
  return m.toString(2).length;
}

/** Round an exact `m * 2^e` (plus a sticky "something non-zero below") to 64 bits. */
function round(m: bigint, e: number, sticky = false): Ext {
  if (m === 0n) return ZERO;
  const len = bitLength(m);
  if (len <= 64) return { m: m << BigInt(64 - len), e: e - (64 - len) };
  const s = BigInt(len - 64);
  let q = m >> s;
  const r = m & ((1n << s) - 1n);
  const half = 1n << (s - 1n);
  if (r > half || (r === half && (sticky || (q & 1n) === 1n))) q += 1n;
  let exp = e + len - 64;
  if (q === TOP) {
    q >>= 1n;
    exp += 1;
  }
  return { m: q, e: exp };
}

/** The exact extended value of a finite, non-negative double. */
export function fromDouble(x: number): Ext {
  if (x === 0) return ZERO;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return round(mant, -1074);
  mant |= 1n << 52n;
  return round(mant, biased - 1075);
}

/** True when the value is zero. */
export function isZero(a: Ext): boolean {
  return a.m === 0n;
}

/** `a * b`, rounded. */
export function mul(a: Ext, b: Ext): Ext {
  if (a.m === 0n || b.m === 0n) return ZERO;
  return round(a.m * b.m, a.e + b.e);
}

/** `a / b`, rounded (`b` non-zero). */
export function div(a: Ext, b: Ext): Ext {
  if (a.m === 0n) return ZERO;
  const num = a.m << 66n;
  const q = num / b.m;
  const r = num - q * b.m;
  return round(q, a.e - 66 - b.e, r !== 0n);
}

/** `a + b`, rounded. */
export function add(a: Ext, b: Ext): Ext {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  if (a.e >= b.e) return round((a.m << BigInt(a.e - b.e)) + b.m, b.e);
  return round((b.m << BigInt(b.e - a.e)) + a.m, a.e);
}

/** `a - b` for `a >= b`, rounded. */
export function sub(a: Ext, b: Ext): Ext {
  if (b.m === 0n) return a;
  if (a.e >= b.e) return round((a.m << BigInt(a.e - b.e)) - b.m, b.e);
  return round(a.m - (b.m << BigInt(b.e - a.e)), a.e);
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function cmp(a: Ext, b: Ext): number {
  if (a.m === 0n || b.m === 0n) {
    if (a.m === b.m) return 0;
    return a.m === 0n ? -1 : 1;
  }
  if (a.e !== b.e) return a.e < b.e ? -1 : 1;
  return a.m < b.m ? -1 : a.m > b.m ? 1 : 0;
}

/** The integer part, as C's `(int)` conversion of a small value gives it. */
export function trunc(a: Ext): number {
  if (a.m === 0n) return 0;
  if (a.e >= 0) return Number(a.m << BigInt(a.e));
  if (a.e <= -64) return 0;
  return Number(a.m >> BigInt(-a.e));
}
