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

const B64 = 1n << 64n;

/** Number of bits in a positive bigint, without formatting it (the hot path is ≤ 128 bits). */
function bitLength(m: bigint): number {
  let n = 0;
  let x = m;
  while (x >= B64) {
    x >>= 64n;
    n += 64;
  }
  const high = Number(x >> 32n);
  if (high !== 0) return n + 64 - Math.clz32(high);
  return n + 32 - Math.clz32(Number(x));
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

const view = new DataView(new ArrayBuffer(8));

/** The exact extended value of a finite, non-negative double. */
export function fromDouble(x: number): Ext {
  if (x === 0) return ZERO;
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

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function cmp(a: Ext, b: Ext): number {
  if (a.m === 0n || b.m === 0n) {
    if (a.m === b.m) return 0;
    return a.m === 0n ? -1 : 1;
  }
  if (a.e !== b.e) return a.e < b.e ? -1 : 1;
  return a.m < b.m ? -1 : a.m > b.m ? 1 : 0;
}

const P32 = 2 ** 32;
/** Powers of two as plain numbers: `Math.pow` and `%` on large doubles are slow in the loop. */
const POW2 = Array.from({ length: 65 }, (_, i) => 2 ** i);

/**
 * SQLite's `et_getdigit` loop over `a` (below 16), `count` times: each step emits the
 * integer part and replaces the value with ten times the fraction, rounded to 64 bits;
 * after `limit` steps only zeros follow. This is the hot loop of every REAL printed, so the
 * significand lives in two 32-bit halves held in plain local numbers instead of bigints; it
 * computes exactly what x87 subtraction and {@linkcode mul} would.
 */
export function digitString(a: Ext, count: number, limit: number): string {
  let hi = Number(a.m >> 32n);
  let lo = Number(a.m & 0xffffffffn);
  let e = a.e;
  let out = "";
  for (let k = 0; k < count; k++) {
    if (k >= limit || (hi === 0 && lo === 0)) {
      out += "0";
      continue;
    }
    const frac = -e;
    let d = 0;
    if (frac <= 64) {
      // The value is below 16, so its integer part sits in the top bits of `hi`.
      const unit = POW2[frac - 32];
      d = Math.floor(hi / unit);
      hi -= d * unit;
    }
    out += String.fromCharCode(48 + d);
    if (hi === 0 && lo === 0) continue;
    // Normalise (exactly) so the top bit of `hi` is set.
    const shift = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
    if (shift >= 32) {
      hi = lo * POW2[shift - 32];
      lo = 0;
    } else if (shift > 0) {
      const down = POW2[32 - shift];
      const top = Math.floor(lo / down);
      hi = hi * POW2[shift] + top;
      lo = (lo - top * down) * POW2[shift];
    }
    e -= shift;
    // Times ten: a 67- or 68-bit product, rounded to nearest-even back to 64 bits.
    const low10 = lo * 10;
    const carry = Math.floor(low10 / P32);
    const lo10 = low10 - carry * P32;
    const hi10 = hi * 10 + carry;
    const s = hi10 >= POW2[35] ? 4 : 3;
    const sp = POW2[s];
    let nhi = Math.floor(hi10 / sp);
    const loTop = Math.floor(lo10 / sp);
    let nlo = (hi10 - nhi * sp) * POW2[32 - s] + loTop;
    const dropped = lo10 - loTop * sp;
    const half = sp / 2;
    if (dropped > half || (dropped === half && (nlo & 1) === 1)) {
      nlo++;
      if (nlo === P32) {
        nlo = 0;
        nhi++;
        if (nhi === P32) {
          nhi = POW2[31];
          e++;
        }
      }
    }
    hi = nhi;
    lo = nlo;
    e += s;
  }
  return out;
}
