/**
 * REAL to text exactly as SQLite 3.40's printf does it for `%!.Ng`: the shell shows REALs
 * as `%!.15g` (what `sqlite3_column_text` returned in 3.40) and quotes them for SQL and JSON
 * as `%!.20g`. Newer SQLite libraries convert differently, so the engine's own text is no use.
 */
import { add, cmp, div, fromDouble, isZero, mul, sub, trunc } from "./x87.ts";

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
    let scale = ONE;
    while (cmp(real, mul(E100, scale)) >= 0 && exp <= 350) {
      scale = mul(scale, E100);
      exp += 100;
    }
    while (cmp(real, mul(E10, scale)) >= 0 && exp <= 350) {
      scale = mul(scale, E10);
      exp += 10;
    }
    while (cmp(real, mul(TEN, scale)) >= 0 && exp <= 350) {
      scale = mul(scale, TEN);
      exp++;
    }
    real = div(real, scale);
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
  let e2 = exponential ? 0 : exp;
  // The `!` flag lets 26 significant digits come from the long double, not 16.
  let significant = 26;
  const digit = (): string => {
    if (significant <= 0) return "0";
    significant--;
    const d = trunc(real);
    real = mul(sub(real, fromDouble(d)), TEN);
    return String.fromCharCode(48 + d);
  };
  let out = prefix;
  if (e2 < 0) {
    out += "0";
  } else {
    for (; e2 >= 0; e2--) out += digit();
  }
  out += ".";
  for (e2++; e2 < 0; precision--, e2++) out += "0";
  while (precision-- > 0) out += digit();
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

/** A REAL as the 3.40 shell shows it in text modes (`%!.15g`). */
export function realText(value: number): string {
  return formatRealG(value, 15);
}

/** A REAL as SQL or JSON literal text (`%!.20g`), before any infinity handling. */
export function realLiteral(value: number): string {
  return formatRealG(value, 20);
}
