/**
 * Shared pieces of the end-to-end tests of extensions and bundles: the real extension
 * binaries (npm fixtures and our own `sqlinkhello`, fetched or built once per process), a
 * private cas-cache per test, and a direct look into that cache with node:sqlite so a test
 * can say exactly what a command left behind.
 */
import assert from "node:assert/strict";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { blake3Hex } from "../../lib/cas/blake3.ts";
import { ensureCExtension } from "../../scripts/c_extension.ts";
import { ensureFixtures, hostPlatform, type Platform } from "../../scripts/fixtures.ts";
import { type RunOptions, type RunResult, runSqlink, tempDir } from "./cli.ts";

/** One real extension binary. */
export interface Fixture {
  /** Absolute path of the library file. */
  path: string;
  /** Its file name (`vec0.so`). */
  file: string;
  /** The extension name sqlink derives from it (`vec0`). */
  name: string;
  /** BLAKE3 hex of its bytes. */
  blake3: string;
  /** `file:///…` of its path: the origin URI `.load` binds. */
  origin: string;
}

/** The extensions the tests load. */
export interface Extensions {
  vec9: Fixture;
  vec6: Fixture;
  lines: Fixture;
  path: Fixture;
  regex: Fixture;
  /** Our own C extension (hello(x), sqlinkhello_version(); alt entry goodbye(x)). */
  hello: Fixture;
  /** vec0 0.1.9 built for the other CPU architecture (aarch64 on x86-64 and back). */
  foreign: Fixture;
}

function fixture(path: string, name: string): Fixture {
  return {
    path,
    file: basename(path),
    name,
    blake3: blake3Hex(Deno.readFileSync(path)),
    origin: pathToFileURL(path).href,
  };
}

let loading: Promise<Extensions> | undefined;

/** The real extensions, fetched (npm) and built (gcc) on first use in this process. */
export function extensions(): Promise<Extensions> {
  loading ??= (async () => {
    const other: Platform = hostPlatform().endsWith("arm64") ? "linux-x64" : "linux-arm64";
    const [host, foreign, hello] = await Promise.all([
      ensureFixtures(),
      ensureFixtures({ platform: other, only: ["vec0@0.1.9"] }),
      ensureCExtension(),
    ]);
    for (const key of ["vec0@0.1.9", "vec0@0.1.6", "lines0", "path0", "regex0"]) {
      assert.ok(host[key], `fixture ${key} is not published for ${hostPlatform()}`);
    }
    return {
      vec9: fixture(host["vec0@0.1.9"], "vec0"),
      vec6: fixture(host["vec0@0.1.6"], "vec0"),
      lines: fixture(host["lines0"], "lines0"),
      path: fixture(host["path0"], "path0"),
      regex: fixture(host["regex0"], "regex0"),
      hello: fixture(hello, "sqlinkhello"),
      foreign: fixture(foreign["vec0@0.1.9"], "vec0"),
    };
  })();
  return loading;
}

/** What a cas-cache holds, read straight from its tables. */
export interface CacheState {
  /** BLAKE3 keys of the artifacts, sorted. */
  artifacts: string[];
  /** URI → BLAKE3. */
  uris: Record<string, string>;
  /** Bundle names, sorted. */
  bundles: string[];
}

/**
 * A cas-cache of its own in a temporary directory, with ways to run sqlink against it.
 *
 * @example
 * ```ts
 * using cache = new TestCache();
 * const result = await cache.shell([":memory:", ".load /x/vec0.so"]);
 * assert.deepEqual(cache.state().artifacts, [hash]);
 * ```
 */
export class TestCache implements Disposable {
  readonly #dir = tempDir("sqlink-ext-test-");
  /** The temporary directory (for databases and files of the test). */
  readonly dir = this.#dir.path;
  /** The cache root, `SQLINK_CACHE_DIR`. */
  readonly root = join(this.#dir.path, "cache");
  /** The cas-cache database. */
  readonly casFile = join(this.root, "cas.sqlite");
  /** The environment that points sqlink at this cache. */
  readonly env: Record<string, string> = {
    SQLINK_CACHE_DIR: this.root,
    SQLINK_CAS: "",
    SQLINK_CAS_MAX_BYTES: "",
  };

  /** Run the shell (`-init /dev/null` first, so no ~/.sqlinkrc runs). */
  shell(args: string[], options: Omit<RunOptions, "env"> = {}): Promise<RunResult> {
    return runSqlink(["-init", "/dev/null", ...args], { ...options, env: this.env });
  }

  /** Run `script` through the shell's standard input on `db` (batch mode). */
  script(
    script: string,
    db = ":memory:",
    extraArgs: string[] = [],
    options: Pick<RunOptions, "timeoutMs"> = {},
  ): Promise<RunResult> {
    return this.shell([...extraArgs, db], { ...options, stdin: script });
  }

  /** Run a script command (`sqlink cas …`, `sqlink bundle …`). */
  cli(...args: string[]): Promise<RunResult> {
    return runSqlink(args, { env: this.env });
  }

  /** Run a script command with `--json` and parse what it printed (it must succeed). */
  async json(...args: string[]): Promise<Record<string, unknown>> {
    const result = await this.cli(...args, "--json");
    assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
    return JSON.parse(result.stdout);
  }

  /** Run SQL on the cas-cache database itself (to damage it on purpose, or to look). */
  sql(text: string, ...params: SQLInputValue[]): Record<string, unknown>[] {
    const db = new DatabaseSync(this.casFile);
    try {
      db.exec("PRAGMA busy_timeout = 15000");
      return db.prepare(text).all(...params) as Record<string, unknown>[];
    } finally {
      db.close();
    }
  }

  /** What the cache holds now; empty when it was never created. */
  state(): CacheState {
    try {
      Deno.statSync(this.casFile);
    } catch {
      return { artifacts: [], uris: {}, bundles: [] };
    }
    const tables = new Set(
      this.sql(`SELECT name FROM sqlite_schema WHERE type = 'table'`).map((r) => String(r.name)),
    );
    const col = (table: string, query: string) => tables.has(table) ? this.sql(query) : [];
    return {
      artifacts: col("__cas_artifact", `SELECT blake3 FROM __cas_artifact ORDER BY blake3`)
        .map((r) => String(r.blake3)),
      uris: Object.fromEntries(
        col("__cas_uri", `SELECT uri, blake3 FROM __cas_uri ORDER BY uri`)
          .map((r) => [String(r.uri), String(r.blake3)]),
      ),
      bundles: col("__cas_bundle", `SELECT name FROM __cas_bundle ORDER BY name`)
        .map((r) => String(r.name)),
    };
  }

  /** `<root>/ext/<blake3>/<file>`: where an artifact is materialized. */
  materialized(blake3: string, file: string): string {
    return join(this.root, "ext", blake3, file);
  }

  /** The library files (not hidden) materialized for `blake3`; empty when none. */
  materializedFiles(blake3: string): string[] {
    try {
      return [...Deno.readDirSync(join(this.root, "ext", blake3))]
        .filter((e) => !e.name.startsWith("."))
        .map((e) => e.name)
        .sort();
    } catch {
      return [];
    }
  }

  [Symbol.dispose](): void {
    this.#dir[Symbol.dispose]();
  }
}

/** True when `path` exists. */
export function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A user error as the shell reports it: exit 1, `Error: <message>` then `hint: …` on
 * stderr, no stack trace. Returns stderr.
 */
export function assertShellError(result: RunResult, message: RegExp): string {
  assert.equal(result.code, 1, `exit status; stdout: ${result.stdout}; stderr: ${result.stderr}`);
  assert.match(result.stderr, /^Error: /m, result.stderr);
  assert.match(result.stderr, message);
  assert.match(result.stderr, /^hint: \S/m, `a hint: ${result.stderr}`);
  assertNoStack(result);
  return result.stderr;
}

/** A user error as `sqlink bundle …` reports it: `error: …` + `hint: …`, non-zero exit. */
export function assertCliError(result: RunResult, message: RegExp, code = 1): string {
  assert.equal(
    result.code,
    code,
    `exit status; stdout: ${result.stdout}; stderr: ${result.stderr}`,
  );
  assert.match(result.stderr, /^error: /, result.stderr);
  assert.match(result.stderr, message);
  assert.match(result.stderr, /^hint: \S/m, `a hint: ${result.stderr}`);
  assertNoStack(result);
  return result.stderr;
}

/** No stack trace, no uncaught-error banner. */
export function assertNoStack(result: RunResult): void {
  assert.doesNotMatch(result.stderr, /^\s+at .+:\d+:\d+\)?$/m, `a stack trace: ${result.stderr}`);
  assert.doesNotMatch(result.stderr, /Uncaught|panicked/, result.stderr);
}

/** Sleep `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
