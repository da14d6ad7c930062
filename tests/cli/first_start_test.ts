/**
 * What a first start downloads, on a machine whose Deno cache is empty (a fresh DENO_DIR):
 * the shell nothing, the first command that needs npm code only sqlink's own three
 * packages, the README's install the same three, and `sqlink web` the page's packages. Never
 * playwright-core (the tests' and benchmark's) or cacache (the benchmark's). Deno asks a
 * real npm registry on loopback (tests/install/mirror.ts: the public registry's bytes,
 * cached under .fixtures/npm/) for everything, so every request is seen.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { MAIN, ROOT, tempDir } from "../helpers/cli.ts";
import { type Mirror, startMirror } from "../install/mirror.ts";

/** sqlink's own packages: the whole of deno.lock. */
const SQLINK_PACKAGES = [
  "aws4fetch-1.0.20.tgz",
  "blake3-jit-1.1.0.tgz",
  "semver-7.7.3.tgz",
];

/** The tarballs requested since `from`, by file name, sorted. */
function tarballs(mirror: Mirror, from = 0): string[] {
  return mirror.seen.slice(from).filter((p) => p.endsWith(".tgz")).map((p) => p.split("/").pop()!)
    .sort();
}

/** An environment with an empty Deno cache that asks `mirror` for npm packages. */
function freshEnv(dir: string, mirror: Mirror): Record<string, string> {
  const cache = join(dir, "sqlink-cache");
  Deno.mkdirSync(cache, { mode: 0o700 });
  return {
    DENO_DIR: join(dir, "deno"),
    NPM_CONFIG_REGISTRY: mirror.url,
    npm_config_registry: mirror.url,
    SQLINK_CACHE_DIR: cache,
    SQLINK_CAS: "",
    NO_COLOR: "1",
  };
}

async function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  cwd = ROOT,
) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("first start from source: the shell downloads nothing, the first cas command sqlink's three packages", async () => {
  await using mirror = startMirror();
  using dir = tempDir("sqlink-first-start-");
  const env = freshEnv(dir.path, mirror);
  const shell = await run(Deno.execPath(), [
    "run",
    "-A",
    MAIN,
    ":memory:",
    "select 40 + 2",
  ], env);
  assert.equal(shell.stdout, "42\n", shell.stderr);
  assert.deepEqual(
    tarballs(mirror),
    [],
    "the shell itself runs on no npm package",
  );

  Deno.writeTextFileSync(join(dir.path, "blob"), "some bytes\n");
  const put = await run(
    Deno.execPath(),
    ["run", "-A", MAIN, "cas", "put", join(dir.path, "blob")],
    env,
  );
  assert.equal(put.code, 0, put.stderr);
  assert.deepEqual(tarballs(mirror), SQLINK_PACKAGES);
});

Deno.test("first start of an installed sqlink: the install fetches sqlink's three packages, the start nothing more", async () => {
  await using mirror = startMirror();
  using dir = tempDir("sqlink-first-install-");
  const env = freshEnv(dir.path, mirror);
  const root = join(dir.path, "root");
  const installed = await run(
    Deno.execPath(),
    [
      "install",
      "-g",
      "-A",
      "-f",
      "--config",
      "deno.json",
      "-n",
      "sqlink",
      "--root",
      root,
      "main.ts",
    ],
    env,
  );
  assert.equal(installed.code, 0, installed.stderr);
  assert.deepEqual(tarballs(mirror), SQLINK_PACKAGES);
  const seen = mirror.seen.length;
  const stats = await run(
    join(root, "bin", "sqlink"),
    ["cas", "stats"],
    env,
    dir.path,
  );
  assert.equal(stats.code, 0, stats.stderr);
  assert.deepEqual(tarballs(mirror, seen), []);
});

Deno.test("first start of sqlink web: the page's packages and esbuild, never the tests'", async () => {
  await using mirror = startMirror();
  using dir = tempDir("sqlink-first-web-");
  const env = freshEnv(dir.path, mirror);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "web", "--port", "0"],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let shown = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    while (!shown.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      shown += value;
    }
  } finally {
    reader.releaseLock();
    child.kill("SIGTERM");
    await child.status;
    await child.stdout.cancel().catch(() => {});
  }
  assert.match(
    shown,
    /^serving the sqlink cas-cache page at http:\/\/127\.0\.0\.1:\d+\//,
    await stderr,
  );
  const fetched = tarballs(mirror);
  for (
    const page of [
      "sqlite-wasm-3.53.4-build2.tgz",
      "hashes-2.4.0.tgz",
      "zstd-wasm-0.0.27.tgz",
      "blake3-jit-1.1.0.tgz",
    ]
  ) {
    assert.ok(fetched.includes(page), `${page} in ${fetched.join(", ")}`);
  }
  assert.ok(
    fetched.some((name) => name.startsWith("esbuild") || name.startsWith("linux-")),
  );
  assert.ok(
    !fetched.some((name) => /playwright|cacache/.test(name)),
    fetched.join(", "),
  );
});
