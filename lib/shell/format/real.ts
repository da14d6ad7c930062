/**
 * REAL to text exactly as SQLite 3.40's printf does it for `%!.Ng`: the shell shows REALs
 * as `%!.15g` (what `sqlite3_column_text` returned in 3.40) and quotes them for SQL and JSON
 * as `%!.20g`. Newer SQLite libraries convert differently, so the engine's own text is no use.
 */
import { add, cmp, digitString, div, type Ext, fromDouble, isZero, mul } from "./x87.ts";

const ROUNDERS = [
  5.0e-01,
  5.0e-02,
  5.0e-03,
  5.0e-04,
  5.0e-05,
  5.0e-06,
  5.0e-07,
  5.0e-08,
  5.0e-09,
  5.0e-10,
];
const ONE = fromDouble(1);
const TEN = fromDouble(10);
const TENTH = fromDouble(0.1);
const E8 = fromDouble(1e8);
const E_8 = fromDouble(1e-8);
const E10 = fromDouble(1e10);
const E100 = fromDouble(1e100);

const scales = new Map<string, Ext>();

/** `a * b`, remembered under the loop path that produced it (`key`) and the step (`op`). */
function scaled(key: string, op: string, a: Ext, b: Ext): Ext {
  const id = key + op;
  let v = scales.get(id);
  if (v === undefined) {
    v = mul(a, b);
    scales.set(id, v);
  }
  return v;
}

/** SQLite 3.40's `%!.<digits>g` of `value` (e.g. 15 → `1.0`, `0.1`, `1.0e+20`, `Inf`). */
export function formatRealG(value: number, digits: number): string {
  if (Number.isNaN(value)) return "NaN";
  const prefix = value < 0 ? "-" : "";
  if (!Number.isFinite(value)) return prefix + "Inf";
  let precision = digits > 0 ? digits - 1 : digits;
  let idx = precision & 0xfff;
  // The rounder is a plain double in SQLite, so JavaScript arithmetic matches it.
  let rounder = ROUNDERS[idx % 10];
  while (idx >= 10) {
    rounder *= 1.0e-10;
    idx -= 10;
  }
  let real = fromDouble(Math.abs(value));
  let exp = 0;
  if (!isZero(real)) {
    // The powers of ten are the same long doubles every time, so they are computed once.
    let scale = ONE;
    let key = "";
    while (cmp(real, scaled(key, "h", E100, scale)) >= 0 && exp <= 350) {
      scale = scaled(key, "H", scale, E100);
      key += "H";
      exp += 100;
    }
    while (cmp(real, scaled(key, "t", E10, scale)) >= 0 && exp <= 350) {
      scale = scaled(key, "T", scale, E10);
      key += "T";
      exp += 10;
    }
    while (cmp(real, scaled(key, "o", TEN, scale)) >= 0 && exp <= 350) {
      scale = scaled(key, "O", scale, TEN);
      key += "O";
      exp++;
    }
    if (key !== "") real = div(real, scale);
    while (cmp(real, E_8) < 0) {
      real = mul(real, E8);
      exp -= 8;
    }
    while (cmp(real, ONE) < 0) {
      real = mul(real, TEN);
      exp--;
    }
    if (exp > 350) return prefix + "Inf";
  }
  real = add(real, fromDouble(rounder));
  if (cmp(real, TEN) >= 0) {
    real = mul(real, TENTH);
    exp++;
  }
  const exponential = exp < -4 || exp > precision;
  if (!exponential) precision -= exp;
  const e2 = exponential ? 0 : exp;
  // Digits before the point, zeros between the point and the first significant digit,
  // then the rest; the `!` flag lets 26 significant digits (not 16) come from the value.
  const whole = e2 < 0 ? 0 : e2 + 1;
  const zeros = e2 < 0 ? -(e2 + 1) : 0;
  const fraction = Math.max(0, precision - zeros);
  const text = digitString(real, whole + fraction, 26);
  let out = prefix + (whole ? text.slice(0, whole) : "0") + "." + "0".repeat(zeros) +
    text.slice(whole);
  out = out.replace(/0+$/, "");
  if (out.endsWith(".")) out += "0";
  if (exponential) {
    let x = exp;
    out += x < 0 ? "e-" : "e+";
    x = Math.abs(x);
    if (x >= 100) {
      out += String.fromCharCode(48 + Math.floor(x / 100));
      x %= 100;
    }
    out += String.fromCharCode(48 + Math.floor(x / 10)) + String.fromCharCode(48 + (x % 10));
  }
  return out;
}

/**
 * `%!.15g` from the correctly rounded decimal digits, or null when the long double might
 * round differently. SQLite's arithmetic is off from the exact value by far less than a
 * hundredth of the 15th digit for magnitudes in [1e-300, 1e100) (larger ones divide by the
 * inexact double 1e100), so only values whose digits after the 15th lie that close to a
 * half need the slow, exact replay.
 */
function quickRealText(value: number): string | null {
  const a = Math.abs(value);
  if (a === 0) return "0.0";
  if (!(a >= 1e-300 && a < 1e100)) return null;
  const wide = a.toExponential(24);
  const tail = Number(wide.slice(16, 26));
  if (Math.abs(tail - 5e9) < 1e8) return null;
  const short = a.toExponential(14);
  const digits = short[0] + short.slice(2, 16);
  const exp = Number(short.slice(17));
  const sign = value < 0 ? "-" : "";
  const trim = (s: string) => s.replace(/0+$/, "") || "0";
  if (exp < -4 || exp > 14) {
    const e = Math.abs(exp);
    return `${sign}${digits[0]}.${trim(digits.slice(1))}e${exp < 0 ? "-" : "+"}${
      e < 10 ? "0" + e : e
    }`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${trim(digits)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${trim(digits.slice(exp + 1))}`;
}

/** A REAL as the 3.40 shell shows it in text modes (`%!.15g`). */
export function realText(value: number): string {
  return quickRealText(value) ?? formatRealG(value, 15);
}

/** A REAL as SQL or JSON literal text (`%!.20g`), before any infinity handling. */
export function realLiteral(value: number): string {
  return formatRealG(value, 20);
}
