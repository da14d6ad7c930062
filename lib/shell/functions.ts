/**
 * SQL functions the sqlite3 shell has that Deno's SQLite build lacks: the math functions
 * (Debian's sqlite3 is built with SQLITE_ENABLE_MATH_FUNCTIONS), the REGEXP operator the
 * shell brings with it, and `readfile`/`writefile`. They follow SQLite's own rules: a
 * non-numeric argument gives NULL, results are REAL (ceil/floor/trunc keep INTEGERs), and a
 * NaN result is NULL.
 */
import type { Database } from "../sqlite/database.ts";

type Value = null | bigint | number | string | Uint8Array;

const NUMERIC =
  /^[ \t\n\f\r]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\n\f\r]*$/;
const INTEGER = /^[ \t\n\f\r]*[+-]?[0-9]+[ \t\n\f\r]*$/;

/** SQLite's `sqlite3_value_numeric_type` conversion: a number, or null if not numeric. */
function numeric(value: Value): bigint | number | null {
  if (typeof value === "bigint" || typeof value === "number") return value;
  if (typeof value !== "string" || !NUMERIC.test(value)) return null;
  if (INTEGER.test(value)) {
    const n = BigInt(value.trim());
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return n;
  }
  return Number(value);
}

/** A REAL result; NaN (a domain error such as sqrt(-1)) is NULL, as in SQLite. */
function real(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}

function math1(fn: (x: number) => number) {
  return (a: Value) => {
    const x = numeric(a);
    return x === null ? null : real(fn(Number(x)));
  };
}

function math2(fn: (x: number, y: number) => number) {
  return (a: Value, b: Value) => {
    const x = numeric(a);
    const y = numeric(b);
    return x === null || y === null ? null : real(fn(Number(x), Number(y)));
  };
}

/** ceil, floor, trunc: an INTEGER stays itself, a REAL is rounded, anything else is NULL. */
function rounding(fn: (x: number) => number) {
  return (a: Value) => {
    const x = numeric(a);
    if (x === null) return null;
    return typeof x === "bigint" ? x : real(fn(x));
  };
}

const LN10 = 2.302585092994045684017991454684364208;
const LN2 = 0.693147180559945309417232121458176568;

/**
 * SQLite's logFunc: the natural logarithm divided by ln(base) (so `log10(1000)` is what
 * SQLite prints, not exactly 3); `log(B, X)` is NULL unless ln(B) > 0.
 */
function logarithm(divisor: number) {
  return (...args: Value[]) => {
    if (args.length < 1 || args.length > 2) {
      throw new Error("wrong number of arguments to function log()");
    }
    const first = numeric(args[0]);
    if (first === null || Number(first) <= 0) return null;
    if (args.length === 1) return real(Math.log(Number(first)) / divisor);
    const base = Math.log(Number(first));
    if (base <= 0) return null;
    const x = numeric(args[1]);
    if (x === null || Number(x) <= 0) return null;
    return real(Math.log(Number(x)) / base);
  };
}

function fmod(x: number, y: number): number {
  return x % y;
}

const cache = new Map<string, RegExp>();

function regexp(flags: string) {
  return (pattern: Value, text: Value) => {
    if (pattern === null || text === null) return null;
    const source = typeof pattern === "string" ? pattern : String(pattern);
    const key = flags + source;
    let re = cache.get(key);
    if (!re) {
      re = new RegExp(source, flags);
      cache.set(key, re);
    }
    const subject = text instanceof Uint8Array ? new TextDecoder().decode(text) : String(text);
    return re.test(subject) ? 1n : 0n;
  };
}

const MATH: Record<string, (...args: Value[]) => Value> = {
  acos: math1(Math.acos),
  asin: math1(Math.asin),
  atan: math1(Math.atan),
  acosh: math1(Math.acosh),
  asinh: math1(Math.asinh),
  atanh: math1(Math.atanh),
  cos: math1(Math.cos),
  sin: math1(Math.sin),
  tan: math1(Math.tan),
  cosh: math1(Math.cosh),
  sinh: math1(Math.sinh),
  tanh: math1(Math.tanh),
  exp: math1(Math.exp),
  sqrt: math1(Math.sqrt),
  degrees: math1((x) => x * (180 / Math.PI)),
  radians: math1((x) => x * (Math.PI / 180)),
  atan2: math2(Math.atan2),
  pow: math2(Math.pow),
  power: math2(Math.pow),
  mod: math2(fmod),
  ceil: rounding(Math.ceil),
  ceiling: rounding(Math.ceil),
  floor: rounding(Math.floor),
  trunc: rounding(Math.trunc),
  ln: oneArgument(logarithm(1)),
  log: logarithm(LN10),
  log10: oneArgument(logarithm(LN10)),
  log2: oneArgument(logarithm(LN2)),
};

/** A function's arity is its `length`. */
function oneArgument(fn: (...args: Value[]) => Value) {
  return (a: Value) => fn(a);
}

/**
 * The functions the engine has. On a file that is not a database every statement fails,
 * so none are known and all of the shell's are added: that file fails at its first use.
 */
function builtinFunctions(db: Database): Set<string> {
  try {
    const rows = db.prepare("SELECT name FROM pragma_function_list").all() as { name: string }[];
    return new Set(rows.map((r) => r.name));
  } catch {
    return new Set();
  }
}

function readfile(path: Value): Value {
  if (typeof path !== "string") return null;
  try {
    return Deno.readFileSync(path);
  } catch {
    return null;
  }
}

function writefile(...args: Value[]): Value {
  const [path, data] = args;
  if (typeof path !== "string") return null;
  const bytes = data instanceof Uint8Array
    ? data
    : new TextEncoder().encode(data === null || data === undefined ? "" : String(data));
  try {
    Deno.writeFileSync(path, bytes);
    return BigInt(bytes.length);
  } catch {
    return null;
  }
}

/** Every function the shell adds, and whether it takes a variable number of arguments. */
const FUNCTIONS: Record<
  string,
  { fn: (...args: Value[]) => Value; varargs?: boolean; io?: boolean }
> = {
  ...Object.fromEntries(Object.entries(MATH).map(([name, fn]) => [name, { fn }])),
  log: { fn: MATH.log, varargs: true },
  pi: { fn: () => Math.PI },
  regexp: { fn: regexp("u") },
  regexpi: { fn: regexp("iu") },
  readfile: { fn: readfile, io: true },
  writefile: { fn: writefile, varargs: true, io: true },
};

const added = new WeakSet<Database>();

/**
 * Add the shell's functions to `db` if `name` (from a "no such function" error) is one of
 * them and they are not there yet; true when they were added (prepare again). Registering
 * costs ~0.7 ms, so it happens on first need, not on every start.
 */
export function addShellFunctionsFor(db: Database, name: string): boolean {
  if (added.has(db) || !Object.hasOwn(FUNCTIONS, name.toLowerCase())) return false;
  added.add(db);
  const present = builtinFunctions(db);
  for (const [fname, { fn, varargs = false, io = false }] of Object.entries(FUNCTIONS)) {
    if (present.has(fname)) continue;
    db.function(
      fname,
      { deterministic: !io, varargs, directOnly: io },
      fn,
    );
  }
  return true;
}
