/**
 * Running `deno compile` (lib/bake/compile.ts): finding deno, and what its real failures
 * become. The outputs classified here are captured from real runs of deno, not written by
 * hand.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, tempDir } from "../helpers/cli.ts";
import { offlineCompileEnv } from "../helpers/compile_probe.ts";
import { SqlinkError } from "../../lib/errors.ts";
import { compile, compileFailure } from "../../lib/bake/compile.ts";

const decoder = new TextDecoder();

/** Run `deno compile` on `code` as a module in `dir`; what it printed and its exit code. */
async function denoCompile(dir: string, code: string, env?: Record<string, string>) {
  Deno.writeTextFileSync(join(dir, "mod.ts"), code);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      "--target",
      "x86_64-unknown-linux-gnu",
      "--output",
      join(dir, "mod-out"),
      "mod.ts",
    ],
    cwd: dir,
    env: env ?? { NO_COLOR: "1" },
    clearEnv: env !== undefined,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, text: decoder.decode(out.stderr) + decoder.decode(out.stdout) };
}

Deno.test("compileFailure: deno's real offline output is EOFFLINE naming the target", async () => {
  using offline = await offlineCompileEnv();
  using dir = tempDir();
  const run = await denoCompile(dir.path, `console.log("hello");\n`, offline.env);
  assert.notEqual(run.code, 0, run.text);
  const err = compileFailure(run.text, run.code, "x86_64-unknown-linux-gnu");
  assert.equal(err.code, "EOFFLINE", err.message);
  assert.match(
    err.message,
    /^deno compile could not download Deno's runtime for x86_64-unknown-linux-gnu: error sending request/,
  );
  assert.ok(!err.message.includes("Stack backtrace"), err.message);
  assert.match(err.hint ?? "", /DENORT_BIN/);
  assert.equal(err.details?.exitCode, run.code);
});

Deno.test("compileFailure: a real syntax error is ECOMPILE naming the parse error", async () => {
  using dir = tempDir();
  const run = await denoCompile(dir.path, "let = ;\n");
  assert.notEqual(run.code, 0, run.text);
  const err = compileFailure(run.text, run.code, "x86_64-unknown-linux-gnu");
  assert.equal(err.code, "ECOMPILE", err.message);
  assert.match(err.message, /^deno compile failed \(exit \d+\): SyntaxError: Expression expected/);
  assert.ok(!/Stack backtrace/.test(`${err.message} ${err.hint}`), `${err.message} ${err.hint}`);
  assert.ok(err.hint?.startsWith("deno's output ends: "), err.hint);
});

Deno.test("compileFailure: a syntax error in a file named connection.ts is not a network failure", async () => {
  using dir = tempDir();
  Deno.writeTextFileSync(join(dir.path, "connection.ts"), "let = ;\n");
  const run = await denoCompile(dir.path, `import "./connection.ts";\n`);
  assert.notEqual(run.code, 0, run.text);
  assert.match(run.text, /connection\.ts/);
  const err = compileFailure(run.text, run.code, "x86_64-unknown-linux-gnu");
  assert.equal(err.code, "ECOMPILE", err.message);
});

/** What a child deno needs to find its cache, when nothing else is passed on. */
function cacheEnv(): Record<string, string> {
  const names = ["HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"];
  return Object.fromEntries(names.flatMap((n) => Deno.env.has(n) ? [[n, Deno.env.get(n)!]] : []));
}

/** Run findDeno() in a child process with `env` only; the error it throws, or the path. */
async function findDenoIn(env: Record<string, string>, dir: string) {
  const child = join(dir, "find_deno.ts");
  const module = pathToFileURL(join(ROOT, "lib/bake/compile.ts")).href;
  Deno.writeTextFileSync(
    child,
    `import { findDeno } from ${JSON.stringify(module)};
try {
  console.log(JSON.stringify({ found: findDeno() }));
} catch (err) {
  console.log(JSON.stringify({ code: err.code, message: err.message, hint: err.hint }));
}
`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "-A", "--no-config", child],
    env: { ...cacheEnv(), NO_COLOR: "1", ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, decoder.decode(out.stderr));
  return JSON.parse(decoder.decode(out.stdout));
}

Deno.test("findDeno: no deno on PATH and no SQLINK_DENO is ENODENO", async () => {
  using dir = tempDir();
  const empty = join(dir.path, "empty-bin");
  Deno.mkdirSync(empty);
  const result = await findDenoIn({ PATH: empty }, dir.path);
  assert.equal(result.code, "ENODENO", JSON.stringify(result));
  assert.equal(result.message, "Cannot bake: there is no `deno` on PATH");
  assert.match(result.hint, /SQLINK_DENO/);
});

Deno.test("findDeno: SQLINK_DENO wins over PATH, and must name a file", async () => {
  using dir = tempDir();
  const found = await findDenoIn({ PATH: "", SQLINK_DENO: Deno.execPath() }, dir.path);
  assert.deepEqual(found, { found: Deno.execPath() });

  const result = await findDenoIn({ SQLINK_DENO: dir.path }, dir.path);
  assert.equal(result.code, "ENODENO", JSON.stringify(result));
  assert.equal(result.message, `Cannot bake: SQLINK_DENO names "${dir.path}", not a file`);
});

Deno.test("compile: a deno that does not exist is ENODENO", async () => {
  using dir = tempDir();
  const deno = join(dir.path, "no-such-deno");
  await assert.rejects(
    compile({
      deno,
      stageDir: dir.path,
      entry: "main.ts",
      includes: [],
      target: "x86_64-unknown-linux-gnu",
      output: join(dir.path, "out"),
    }),
    (err) => {
      assert.ok(err instanceof SqlinkError, String(err));
      assert.equal(err.code, "ENODENO");
      assert.equal(err.message, `Cannot bake: "${deno}" does not exist`);
      return true;
    },
  );
});

Deno.test("compileFailure: a deno that printed nothing gets a hint that says so, not an empty quote", () => {
  for (const output of ["", "\n\n", "Stack backtrace:\n   0: <unknown>\n"]) {
    const err = compileFailure(output, 1, "x86_64-unknown-linux-gnu");
    assert.equal(err.code, "ECOMPILE");
    assert.equal(err.message, "deno compile failed (exit 1): no output");
    assert.match(err.hint ?? "", /^deno printed nothing: check the deno executable/);
  }
});
