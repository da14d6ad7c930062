/**
 * sqlink installed as a command the way the README says (`deno install … --config deno.json`)
 * works from any directory; installed without its deno.json it says so plainly; and each lock
 * file holds only what its module graphs use: deno.lock sqlink's own (a first start downloads
 * the whole of it: the benchmark's cacache once made that 21 packages, the page's packages and
 * playwright-core 19 MiB), lib/web/deno.lock the browser page's, tests/deno.lock the tests'.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { MAIN, ROOT, tempDir } from "../helpers/cli.ts";

function run(cmd: string, args: string[], options: { cwd?: string; env?: Record<string, string> }) {
  return new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    env: { NO_COLOR: "", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output().then((out) => ({
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  }));
}

/** `deno install` from the checkout into `root`, with `extra` flags (the README's: --config). */
async function install(root: string, extra: string[]): Promise<string> {
  const result = await run(
    Deno.execPath(),
    ["install", "-g", "-A", "-f", ...extra, "-n", "sqlink", "--root", root, "main.ts"],
    { cwd: ROOT },
  );
  assert.equal(result.code, 0, result.stderr);
  return join(root, "bin", "sqlink");
}

Deno.test("installed with --config deno.json, sqlink runs from any directory", async () => {
  using dir = tempDir();
  const sqlink = await install(join(dir.path, "root"), ["--config", "deno.json"]);
  const work = join(dir.path, "elsewhere");
  Deno.mkdirSync(work);
  Deno.writeTextFileSync(join(work, "blob"), "some bytes\n");
  const env = { SQLINK_CACHE_DIR: join(dir.path, "cache"), SQLINK_CAS: "" };
  const put = await run(sqlink, ["cas", "put", "blob", "--json"], { cwd: work, env });
  assert.equal(put.code, 0, put.stderr);
  assert.equal(JSON.parse(put.stdout).results[0].created, true);
  const stats = await run(sqlink, ["cas", "stats"], { cwd: work, env });
  assert.match(stats.stdout, /^artifacts: +1$/m);
  const shell = await run(sqlink, ["data.db", "select 40 + 2"], { cwd: work, env });
  assert.equal(shell.stdout, "42\n");
  // An error, with stderr not a terminal, is plain text (Deno colours its own reports even then).
  const missing = await run(sqlink, ["cas", "get", "abcdef12", "-o", "x"], { cwd: work, env });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: /);
  assert.ok(!missing.stderr.includes("\x1b"), missing.stderr);
});

Deno.test("installed without its deno.json, sqlink says how to install it, in plain text", async () => {
  using dir = tempDir();
  const sqlink = await install(join(dir.path, "root"), []);
  const env = { SQLINK_CACHE_DIR: join(dir.path, "cache"), SQLINK_CAS: "" };
  const stats = await run(sqlink, ["cas", "stats"], { cwd: dir.path, env });
  assert.equal(stats.code, 1);
  assert.equal(
    stats.stderr,
    'error: sqlink was started without its deno.json: Import "blake3-jit" not a dependency\n' +
      "hint: Install it from the checkout with `deno install -g -A --config deno.json -n sqlink " +
      "main.ts`, or run it there with `deno task sqlink`\n",
  );
  Deno.writeTextFileSync(join(dir.path, "lib.so"), "not a library");
  const load = await run(sqlink, [":memory:", ".load lib.so"], { cwd: dir.path, env });
  assert.match(load.stderr, /^Error: sqlink was started without its deno.json/);
  assert.ok(!load.stderr.includes("\x1b"), load.stderr);
});

/** The npm packages the module graph of `entry` (relative to the root) uses under `config`. */
async function npmPackagesOf(entry: string, config = "deno.json"): Promise<string[]> {
  const info = await run(Deno.execPath(), ["info", "--json", "--config", config, entry], {
    cwd: ROOT,
  });
  assert.equal(info.code, 0, info.stderr);
  // npmPackages lists the whole lock: the graph's own npm modules say what it uses.
  const modules = JSON.parse(info.stdout).modules as Array<
    { kind: string; specifier: string; error?: string }
  >;
  assert.deepEqual(modules.filter((m) => m.error).map((m) => m.error), [], entry);
  return modules.filter((m) => m.kind === "npm").map((m) =>
    m.specifier.replace(/^npm:\/?/, "").replace(/(@[^@/]+\/[^@/]+|[^@/]+)@([^/]+).*$/, "$1@$2")
  ).sort();
}

/** The packages a lock file holds, as name@version. */
function lockPackages(lock: string): string[] {
  return Object.keys(JSON.parse(Deno.readTextFileSync(join(ROOT, lock))).npm ?? {}).sort();
}

/** A config's imports. */
function importsOf(config: string): Record<string, string> {
  return JSON.parse(Deno.readTextFileSync(join(ROOT, config))).imports;
}

const union = (...lists: string[][]) => [...new Set(lists.flat())].sort();

Deno.test("each lock holds only the npm packages its module graphs use: sqlink's, the page's, the tests'", async () => {
  // sqlink's own: what a first start can download. aws4fetch signs requests to s3 remotes
  // (loaded only for them); semver resolves npm ranges for `sqlink ext add` (only then).
  const sqlink = await npmPackagesOf(MAIN);
  assert.deepEqual(sqlink, ["aws4fetch@1.0.20", "blake3-jit@1.1.0", "semver@7.7.3"]);
  assert.deepEqual(lockPackages("deno.lock"), sqlink);
  // The browser page's worker and page, bundled by `sqlink web` with the page's own config.
  const page = union(
    ...await Promise.all(
      ["lib/web/worker.ts", "lib/web/page.ts"].map((e) => npmPackagesOf(e, "lib/web/deno.json")),
    ),
  );
  assert.deepEqual(page, [
    "@bokuweb/zstd-wasm@0.0.27",
    "@noble/hashes@2.4.0",
    "@sqlite.org/sqlite-wasm@3.53.4-build2",
    "blake3-jit@1.1.0",
  ]);
  assert.deepEqual(lockPackages("lib/web/deno.lock"), page);
  // The tests' (and the benchmark's browser rounds'): both of the above and playwright-core.
  const tests = union(
    ...await Promise.all(
      [MAIN, "tests/cas_core/browser_worker.ts", "lib/web/page.ts", "tests/helpers/chromium.ts"]
        .map((e) => npmPackagesOf(e, "tests/deno.json")),
    ),
  );
  assert.deepEqual(tests, union(sqlink, page, ["playwright-core@1.65.2"]));
  assert.deepEqual(lockPackages("tests/deno.lock"), tests);
});

Deno.test("the tests' config maps every package as sqlink's and the page's configs do", () => {
  const tests = importsOf("tests/deno.json");
  for (const config of ["deno.json", "lib/web/deno.json"]) {
    for (const [name, target] of Object.entries(importsOf(config))) {
      assert.equal(tests[name], target, `${name} in tests/deno.json and ${config}`);
    }
  }
  assert.deepEqual(
    Object.keys(tests).sort(),
    union(Object.keys(importsOf("deno.json")), Object.keys(importsOf("lib/web/deno.json")), [
      "playwright-core",
    ]),
  );
});
