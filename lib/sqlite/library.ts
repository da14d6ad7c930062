/**
 * Which SQLite library the shell runs on, and the rule that only hashed, verified bytes
 * are dlopen'ed (as for extensions). The library is the system's (Debian's
 * `libsqlite3.so.0`, the engine of Debian's own `sqlite3`), or `SQLINK_SQLITE_LIBRARY`.
 * Its SHA-256 must be one sqlink knows (TRUSTED_SHA256) or one the user names in
 * `SQLINK_SQLITE_SHA256`. The checked bytes are copied into the cache root,
 * `<root>/engine/<sha256>/<file name>`, hashed again there and stamped (lib/ext/stamp.ts),
 * and that copy is what is opened: a later launch only reads the stamp and the copy's
 * identity (no hash, ~0.3 ms), and a change to the system file cannot reach a running
 * sqlink between the check and the load. When the cache root cannot be used, the system
 * file is hashed on every launch and opened only if its identity did not change meanwhile.
 */
import { SqlinkError } from "../errors.ts";
import { checkPrivateDir, ensurePrivateDir, newTempSibling, removeQuietly } from "../fs.ts";
import { basename, join } from "../path.ts";
import { cacheRoot } from "../paths.ts";
import { stampedDigest, startStamp, writeStamp } from "../ext/stamp.ts";
import { type Sqlite3, SYMBOLS } from "./symbols.ts";

/**
 * Builds of SQLite sqlink was checked against: Debian 12's libsqlite3-0 3.40.1-2+deb12u2
 * for amd64 (libsqlite3.so.0.8.6), the library Debian's `sqlite3` runs on.
 */
export const TRUSTED_SHA256: readonly string[] = [
  "2e6eef9a727f081f0d453b4e5e6cbd8b9ef8b6f86cbf7681cbad444d3b0b55c8",
];

/** The library loaded in this process, with where it came from. */
export interface LoadedLibrary {
  symbols: Sqlite3;
  /** The file that was opened (the verified copy, or the system file itself). */
  path: string;
  /** The file the bytes came from. */
  source: string;
  sha256: string;
}

let loaded: LoadedLibrary | null = null;

/** The library when `loadSqlite` has run in this process, else null. */
export function sqliteLibrary(): LoadedLibrary | null {
  return loaded;
}

/** The library, which must have been loaded (`loadSqlite`) already. */
export function sqlite(): Sqlite3 {
  if (loaded === null) throw new Error("The SQLite library is not loaded (call loadSqlite first)");
  return loaded.symbols;
}

/** The system library sqlink runs on: `SQLINK_SQLITE_LIBRARY`, else the platform's. */
export function libraryPath(): string {
  const explicit = env("SQLINK_SQLITE_LIBRARY");
  if (explicit) return explicit;
  const arch = Deno.build.arch === "aarch64" ? "aarch64" : "x86_64";
  switch (Deno.build.os) {
    case "linux":
      return `/usr/lib/${arch}-linux-gnu/libsqlite3.so.0`;
    case "darwin":
      return "/usr/lib/libsqlite3.dylib";
    case "windows":
      return "winsqlite3.dll";
    default:
      return "libsqlite3.so.0";
  }
}

/** The SHA-256 digests the library may have. */
function trustedDigests(): string[] {
  const extra = (env("SQLINK_SQLITE_SHA256") ?? "").split(/[\s,]+/).filter((d) => d !== "")
    .map((d) => d.toLowerCase());
  return [...extra, ...TRUSTED_SHA256];
}

/**
 * Load the SQLite library (once per process): the verified copy when its stamp is good,
 * else the system file, checked and copied. Throws SqlinkError when Deno does not allow
 * FFI, the file is missing, or its bytes are not trusted.
 */
export async function loadSqlite(): Promise<LoadedLibrary> {
  if (loaded !== null) return loaded;
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    throw new SqlinkError(
      "EPERM",
      "Cannot run SQLite's library: Deno does not allow this process to load native code",
      {
        hint:
          "Run sqlink with Deno's --allow-ffi permission (`deno task sqlink` grants all it needs)",
      },
    );
  }
  const source = libraryPath();
  const name = basename(source);
  const trusted = trustedDigests();
  const engineDir = usableEngineDir();
  if (engineDir !== null) {
    for (const digest of trusted) {
      const copy = join(engineDir, digest, name);
      if (stampedDigest(copy) === digest) return open(copy, source, digest);
    }
  }
  const before = identity(source);
  const bytes = readSource(source);
  const digest = await sha256(bytes);
  if (!trusted.includes(digest)) {
    throw new SqlinkError(
      "EINTEGRITY",
      `The SQLite library "${source}" is not a build sqlink knows (SHA-256 ${digest})`,
      {
        hint: `If you trust this file, run sqlink with SQLINK_SQLITE_SHA256=${digest}`,
        details: { path: source, sha256: digest },
      },
    );
  }
  if (engineDir !== null) {
    const copy = await materialize(join(engineDir, digest), name, bytes, digest);
    if (copy !== null) return open(copy, source, digest);
  }
  const library = open(source, source, digest);
  const after = identity(source);
  if (before === null || after === null || before !== after) {
    loaded = null;
    throw new SqlinkError("EINTEGRITY", `The SQLite library "${source}" changed while it loaded`, {
      hint: "Run sqlink again",
    });
  }
  return library;
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/** `<root>/engine`, when the cache root is private (or can be made so); else null. */
function usableEngineDir(): string | null {
  try {
    const root = cacheRoot();
    const dir = join(root, "engine");
    checkPrivateDir(root);
    checkPrivateDir(dir);
    return dir;
  } catch {
    return null;
  }
}

function identity(path: string): string | null {
  try {
    const info = Deno.statSync(path);
    return JSON.stringify([
      info.dev,
      info.ino,
      info.size,
      info.mtime?.getTime(),
      info.ctime?.getTime(),
    ]);
  } catch {
    return null;
  }
}

function readSource(source: string): Uint8Array {
  try {
    return Deno.readFileSync(source);
  } catch (error) {
    throw new SqlinkError(
      "ENOENT",
      `Cannot read the SQLite library "${source}": ${(error as Error).message}`,
      {
        hint: "Install SQLite's shared library (Debian: apt-get install libsqlite3-0), or name " +
          "one with SQLINK_SQLITE_LIBRARY",
        cause: error,
      },
    );
  }
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Write `bytes` to `<dir>/<name>` (atomically), hash what landed and stamp it; the copy's
 * path, or null when the cache cannot hold it (the caller opens the system file instead).
 */
async function materialize(
  dir: string,
  name: string,
  bytes: Uint8Array,
  digest: string,
): Promise<string | null> {
  const copy = join(dir, name);
  try {
    ensurePrivateDir(dir);
    // A copy already there (its stamp too fresh to trust yet) is hashed, not rewritten.
    let ticket = startStamp(copy);
    if (ticket !== undefined && await holds(copy, digest)) {
      writeStamp(copy, digest, ticket);
      return copy;
    }
    const temp = newTempSibling(copy);
    try {
      Deno.writeFileSync(temp, bytes, { createNew: true, mode: 0o600 });
      Deno.renameSync(temp, copy);
    } finally {
      removeQuietly(temp);
    }
    ticket = startStamp(copy);
    if (ticket === undefined || !(await holds(copy, digest))) return null;
    writeStamp(copy, digest, ticket);
    return copy;
  } catch {
    return null;
  }
}

async function holds(path: string, digest: string): Promise<boolean> {
  try {
    return await sha256(Deno.readFileSync(path)) === digest;
  } catch {
    return false;
  }
}

/**
 * What a one-shot `sqlink DB "select …"` calls. Deno builds a trampoline per declared
 * function (~0.2–0.4 ms each here), so the library is opened with these first and again,
 * on first use, for the rest.
 */
const CORE = [
  "sqlite3_open_v2",
  "sqlite3_close_v2",
  "sqlite3_errmsg",
  "sqlite3_errstr",
  "sqlite3_extended_errcode",
  "sqlite3_error_offset",
  "sqlite3_db_config",
  "sqlite3_prepare_v2",
  "sqlite3_step",
  "sqlite3_reset",
  "sqlite3_finalize",
  "sqlite3_column_count",
  "sqlite3_column_name",
  "sqlite3_column_type",
  "sqlite3_column_int64",
  "sqlite3_column_double",
  "sqlite3_column_text",
  "sqlite3_column_blob",
  "sqlite3_column_bytes",
  "sqlite3_data_count",
] as const satisfies readonly (keyof typeof SYMBOLS)[];

function pick(names: readonly string[]): Deno.ForeignLibraryInterface {
  const table = SYMBOLS as Record<string, Deno.ForeignFunction>;
  return Object.fromEntries(names.map((name) => [name, table[name]]));
}

/** The library's functions: CORE bound now, the rest bound together on first use. */
function bind(path: string): Sqlite3 {
  const core = Deno.dlopen(path, pick(CORE)).symbols as Record<string, unknown>;
  const rest = Object.keys(SYMBOLS).filter((name) => !(CORE as readonly string[]).includes(name));
  const symbols: Record<string, unknown> = { ...core };
  let bound = false;
  const bindRest = () => {
    if (bound) return;
    bound = true;
    const more = Deno.dlopen(path, pick(rest)).symbols as Record<string, unknown>;
    for (const name of rest) Object.defineProperty(symbols, name, { value: more[name] });
  };
  for (const name of rest) {
    Object.defineProperty(symbols, name, {
      configurable: true,
      get: () => {
        bindRest();
        return symbols[name];
      },
    });
  }
  return symbols as unknown as Sqlite3;
}

function open(path: string, source: string, digest: string): LoadedLibrary {
  let symbols: Sqlite3;
  try {
    symbols = bind(path);
  } catch (error) {
    throw new SqlinkError(
      "ELOAD",
      `Cannot load the SQLite library "${path}": ${(error as Error).message}`,
      {
        hint: "sqlink needs SQLite 3.40 or later built as a shared library",
        cause: error,
      },
    );
  }
  loaded = { symbols, path, source, sha256: digest };
  return loaded;
}
