/**
 * A small SQLite extension of our own, `sqlinkhello`, compiled from C with gcc for tests
 * that need a real extension whose entry points and functions we control (the npm ones
 * have a single entry point each).
 *
 * - `sqlite3_sqlinkhello_init`, the entry point SQLite derives from the file name
 *   `sqlinkhello.so`, registers `hello(x)` → `'hello, ' || x` and `sqlinkhello_version()`;
 * - `sqlinkhello_alt_init`, for `.load PATH sqlinkhello_alt_init`, registers `goodbye(x)`
 *   → `'goodbye, ' || x` only.
 *
 * The build lands in `.fixtures/sqlinkhello-<hash of source and flags>/sqlinkhello.so`, so
 * a changed source gets a fresh build and an unchanged one is reused. It is made in a
 * private temporary directory renamed into place at the end, so two processes may build at
 * once: one rename wins and the other uses the finished directory.
 *
 * Needs gcc and SQLite's headers (`apt-get install gcc libsqlite3-dev`).
 *
 * @example
 * ```sh
 * deno run --allow-read --allow-write --allow-run scripts/c_extension.ts
 * deno run --allow-read --allow-write --allow-run scripts/c_extension.ts --dir /tmp/ext
 * ```
 *
 * @example
 * ```ts
 * import { C_EXTENSION, ensureCExtension } from "../scripts/c_extension.ts";
 * const path = await ensureCExtension(); // …/.fixtures/sqlinkhello-1a2b3c4d5e6f/sqlinkhello.so
 * db.loadExtension(path); // hello('x') → 'hello, x'
 * db.loadExtension(path, C_EXTENSION.altEntryPoint); // goodbye('x') → 'goodbye, x'
 * ```
 */
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import { DEFAULT_FIXTURES_DIR, runTool } from "./fixtures.ts";

/** The extension's names and what its functions return, for tests to check against. */
export const C_EXTENSION = {
  /** The base name; SQLite derives the default entry point from it, so keep it letters only. */
  name: "sqlinkhello",
  defaultEntryPoint: "sqlite3_sqlinkhello_init",
  altEntryPoint: "sqlinkhello_alt_init",
  /** What `sqlinkhello_version()` returns. */
  version: "sqlinkhello 1.0",
} as const;

/** The C source of the extension. */
export const C_EXTENSION_SOURCE =
  `/* sqlinkhello: a test extension of sqlink (scripts/c_extension.ts). */
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#ifdef _WIN32
#define EXPORT __declspec(dllexport)
#else
#define EXPORT __attribute__((visibility("default")))
#endif

/* '<greeting>, ' || x, NULL for NULL like the || operator. */
static void greet(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const char *greeting = (const char *)sqlite3_user_data(ctx);
  const unsigned char *who = sqlite3_value_text(argv[0]);
  char *text;
  (void)argc;
  if (who == 0) {
    sqlite3_result_null(ctx);
    return;
  }
  text = sqlite3_mprintf("%s, %s", greeting, (const char *)who);
  if (text == 0) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text(ctx, text, -1, sqlite3_free);
}

static void version(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  (void)argv;
  sqlite3_result_text(ctx, "${C_EXTENSION.version}", -1, SQLITE_STATIC);
}

static const int FLAGS = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;

EXPORT int sqlite3_sqlinkhello_init(sqlite3 *db, char **error, const sqlite3_api_routines *api) {
  int rc;
  SQLITE_EXTENSION_INIT2(api);
  (void)error;
  rc = sqlite3_create_function(db, "hello", 1, FLAGS, (void *)"hello", greet, 0, 0);
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function(db, "sqlinkhello_version", 0, FLAGS, 0, version, 0, 0);
  }
  return rc;
}

EXPORT int sqlinkhello_alt_init(sqlite3 *db, char **error, const sqlite3_api_routines *api) {
  SQLITE_EXTENSION_INIT2(api);
  (void)error;
  return sqlite3_create_function(db, "goodbye", 1, FLAGS, (void *)"goodbye", greet, 0, 0);
}
`;

/** Options of `ensureCExtension`. */
export interface CExtensionOptions {
  /** The directory to build under; defaults to `<repo>/.fixtures/`. */
  dir?: string;
}

const SUFFIXES: Record<string, string> = { darwin: "dylib", windows: "dll" };
const GCC_FLAGS = ["-shared", "-fPIC", "-O2", "-Wall", "-Wextra"];

/**
 * Build the extension unless an identical build is there; return the absolute path of
 * `sqlinkhello.so` (`.dylib`, `.dll`).
 */
export async function ensureCExtension(options: CExtensionOptions = {}): Promise<string> {
  const root = resolve(options.dir ?? DEFAULT_FIXTURES_DIR);
  const fileName = `${C_EXTENSION.name}.${SUFFIXES[Deno.build.os] ?? "so"}`;
  const hash = createHash("sha256")
    .update(`${GCC_FLAGS.join(" ")}\n${fileName}\n${C_EXTENSION_SOURCE}`)
    .digest("hex")
    .slice(0, 12);
  const final = join(root, `${C_EXTENSION.name}-${hash}`);
  const built = join(final, fileName);
  if (await isFile(built)) return built;

  await Deno.mkdir(root, { recursive: true });
  const work = await Deno.makeTempDir({ dir: root, prefix: `.tmp-${C_EXTENSION.name}-` });
  try {
    const source = join(work, `${C_EXTENSION.name}.c`);
    await Deno.writeTextFile(source, C_EXTENSION_SOURCE);
    await gcc([...GCC_FLAGS, "-o", join(work, fileName), source], work);
    // makeTempDir made it private; the finished build is for every user, like .fixtures/.
    await Deno.chmod(work, 0o755);
    try {
      await Deno.rename(work, final);
    } catch (err) {
      // Another process finished first: its build of the same source is as good as ours.
      if (!(await isFile(built))) throw err;
    }
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
  return built;
}

const INSTALL = "install them with `apt-get install gcc libsqlite3-dev`";

async function gcc(args: string[], cwd: string): Promise<void> {
  try {
    await runTool(
      "gcc",
      args,
      cwd,
      `gcc is not on PATH; building the test extension needs gcc and SQLite's headers: ${INSTALL}`,
    );
  } catch (err) {
    const message = (err as Error).message;
    if (!message.includes("sqlite3ext.h")) throw err;
    throw new Error(`SQLite's headers (sqlite3ext.h) are missing; ${INSTALL}:\n${message}`);
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

if (import.meta.main) {
  const args = [...Deno.args];
  const at = args.indexOf("--dir");
  const dir = at >= 0 ? args[at + 1] : undefined;
  if ((at >= 0 && !dir) || args.length !== (at >= 0 ? 2 : 0)) {
    console.error("usage: c_extension.ts [--dir DIR]");
    Deno.exit(2);
  }
  try {
    console.log(await ensureCExtension({ dir }));
  } catch (err) {
    console.error(`error: ${err instanceof Error ? err.message : err}`);
    Deno.exit(1);
  }
}
