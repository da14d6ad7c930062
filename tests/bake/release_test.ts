/// <reference lib="dom" />
/**
 * scripts/release.ts end to end: the real script as a subprocess, the real `deno compile`.
 * The failure path runs everywhere (the runtime download is made to fail); a real release
 * runs where `deno compile` works.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT, tempDir } from "../helpers/cli.ts";
import { compileWorks, offlineCompileEnv } from "../helpers/compile_probe.ts";
import {
  release,
  releaseName,
  STAGE_PREFIX,
  stageRelease,
  SUMS_FILE,
  sumsText,
} from "../../scripts/release.ts";
import { compileArgs } from "../../lib/bake/compile.ts";
import { buildPage, PAGE_DIR, pageFiles } from "../../lib/web/build.ts";
import { carriedPage, serveWeb } from "../../lib/web/server.ts";
import { BROWSER_TEST, launchChromium } from "../helpers/chromium.ts";
import { SqlinkError } from "../../lib/errors.ts";
import { UsageError } from "../../lib/errors.ts";
import { TARGETS } from "../../lib/bake/targets.ts";
import { readSource } from "../../lib/bake/source.ts";
import { stageBuild } from "../../lib/bake/stage.ts";

const RELEASE = fileURLToPath(new URL("../../scripts/release.ts", import.meta.url));

async function runRelease(args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "-A", RELEASE, ...args],
    cwd: ROOT,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

function includes(text: string, part: string): void {
  assert.ok(text.includes(part), `expected ${JSON.stringify(part)} in:\n${text}`);
}

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test("release: an offline compile fails with one error and leaves no file behind", async () => {
  using offline = await offlineCompileEnv();
  using out = tempDir("sqlink-test-release-");
  using tmp = tempDir("sqlink-test-tmpdir-");
  const target = "x86_64-unknown-linux-gnu";
  const env = { ...offline.env, TMPDIR: tmp.path, SQLINK_DENO: Deno.execPath() };
  const result = await runRelease(["--out", out.path, "--target", target], env);

  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stdout, "");
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 2, result.stderr);
  assert.match(lines[0], /^error: /);
  assert.match(lines[1], /^hint: \S/);
  assert.ok(!/Stack backtrace|^\s+at /m.test(result.stderr), result.stderr);
  // The page is built first: without esbuild in this fresh Deno cache, that is the failure;
  // with it, and sqlink's npm packages in the cache, the runtime download itself.
  if (/^error: Cannot build the page/.test(lines[0])) {
    assert.match(
      lines[0],
      /^error: Cannot build the page: deno bundle page\.js could not download what the page needs: .*esbuild/,
    );
    includes(lines[1], "npm registry");
  } else if (!/could not fetch what sqlink's source needs/.test(lines[0])) {
    includes(
      lines[0],
      `error: deno compile could not download Deno's runtime for ${target}: `,
    );
    includes(lines[1], "DENORT_BIN");
  }
  assert.deepEqual(names(out.path), [], "no binary, no SHA256SUMS, no temporary file");
  assert.deepEqual(names(tmp.path).filter((n) => n.startsWith(STAGE_PREFIX)), [], "no staging dir");
});

Deno.test("release: a failed release into a new directory does not leave the directory", async () => {
  using offline = await offlineCompileEnv();
  using parent = tempDir("sqlink-test-release-");
  const out = join(parent.path, "dist");
  const result = await runRelease(
    ["--out", out, "--target", "aarch64-apple-darwin"],
    { ...offline.env, SQLINK_DENO: Deno.execPath() },
  );
  assert.equal(result.code, 1, result.stderr);
  assert.deepEqual(names(parent.path), []);
});

Deno.test("release: an unknown target is a usage error that lists the five", async () => {
  using out = tempDir("sqlink-test-release-");
  const result = await runRelease(
    ["--out", out.path, "--target", "x86_64-unknown-linux-gnu", "--target", "riscv64-linux"],
    Deno.env.toObject(),
  );
  assert.equal(result.code, 2, result.stderr);
  includes(result.stderr, `error: Unknown target "riscv64-linux"`);
  for (const target of TARGETS) includes(result.stderr, target);
  assert.deepEqual(names(out.path), [], "refused before anything was compiled");
});

Deno.test("release: an unknown option is a usage error", async () => {
  const result = await runRelease(["--outdir", "x"], Deno.env.toObject());
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /^error: .*--outdir.*\nhint: Usage: /);
});

Deno.test("release: in process, an unknown target rejects before the out dir is made", async () => {
  using parent = tempDir("sqlink-test-release-");
  const out = join(parent.path, "dist");
  await assert.rejects(release({ out, targets: ["x86_64-apple-darwin", "sparc"] }), UsageError);
  assert.deepEqual(names(parent.path), []);
});

Deno.test("release: SHA256SUMS is sha256sum's format, in file name order", () => {
  const files = (["x86_64-pc-windows-msvc", "aarch64-apple-darwin"] as const).map((target, i) => ({
    target,
    path: join("/out", releaseName(target)),
    size: 1,
    sha256: String(i).repeat(64),
  }));
  assert.equal(
    sumsText(files),
    `${"1".repeat(64)}  sqlink-aarch64-apple-darwin\n` +
      `${"0".repeat(64)}  sqlink-x86_64-pc-windows-msvc.exe\n`,
  );
});

// What a release hands to deno compile, run the way the compiled program would run it:
// this part of a release is checked even where deno compile cannot work.
Deno.test("release: the staged program a release compiles runs under deno run", async () => {
  using dir = tempDir();
  const staged = stageBuild(join(dir.path, "stage"), readSource());
  assert.equal(staged.entry, "main.ts");
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "-A", "--no-check", "--config", "deno.json", "--frozen", staged.entry]
      .concat([":memory:", "select 1+1"]),
    cwd: staged.dir,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  assert.equal(run.code, 0, decoder.decode(run.stderr));
  assert.equal(decoder.decode(run.stdout), "2\n");
});

// sqlink web in a compiled sqlink serves the page the release built and embedded: the staged
// page is what deno compile embeds (--include), and it works in a browser as it is.
Deno.test({
  name: "release: the stage carries the built page, deno compile embeds it, and it serves",
  ...BROWSER_TEST,
  fn: async () => {
    using dir = tempDir();
    const page = join(dir.path, "page");
    Deno.mkdirSync(page);
    await buildPage(page);
    const staged = stageRelease(join(dir.path, "stage"), readSource(), page);
    assert.ok(staged.includes.includes(PAGE_DIR), staged.includes.join(", "));
    const args = compileArgs({
      deno: "deno",
      stageDir: staged.dir,
      entry: staged.entry,
      includes: staged.includes,
      target: TARGETS[0],
      output: join(dir.path, "out"),
    });
    assert.ok(args.join(" ").includes(`--include ${PAGE_DIR}`), args.join(" "));
    const carried = join(staged.dir, PAGE_DIR);
    assert.deepEqual([...Deno.readDirSync(carried)].map((e) => e.name).sort(), pageFiles().sort());
    assert.equal(carriedPage(carried), carried);

    const server = await serveWeb({ pageDir: carried });
    const browser = await launchChromium(join(dir.path, "profile"));
    try {
      const tab = await browser.newPage();
      await tab.goto(server.url);
      await tab.waitForFunction(() => document.body.dataset.state !== "loading", null, {
        timeout: 60_000,
      });
      assert.equal(await tab.evaluate(() => document.body.dataset.state), "ready");
      assert.match(await tab.locator("#storage").innerText(), /SQLite 3\.\d+\.\d+ \(wasm\)/);
    } finally {
      await browser.close();
      await server.close();
    }
    // Served from where it is: the release's files stay.
    assert.deepEqual([...Deno.readDirSync(carried)].map((e) => e.name).sort(), pageFiles().sort());
  },
});

Deno.test("release: a compiled sqlink without the page (a baked bundle program) says so", () => {
  using dir = tempDir();
  const staged = stageBuild(join(dir.path, "stage"), readSource());
  assert.throws(
    () => carriedPage(join(staged.dir, PAGE_DIR)),
    (err: unknown) =>
      err instanceof SqlinkError && err.code === "EWEBBUILD" &&
      /^This sqlink was compiled without the browser page \(page\.js is missing\)$/.test(
        err.message,
      ) && /run `sqlink web` from a release build/.test(err.hint ?? ""),
  );
});

Deno.test({
  name: "release: a real release for this machine runs and its SHA256SUMS verifies",
  ignore: !(await compileWorks()),
  fn: async () => {
    using out = tempDir("sqlink-test-release-");
    const target = Deno.build.target;
    const result = await runRelease(["--out", out.path, "--target", target], {
      ...Deno.env.toObject(),
      SQLINK_DENO: Deno.execPath(),
    });
    assert.equal(result.code, 0, result.stderr);
    const program = `sqlink-${target}${Deno.build.os === "windows" ? ".exe" : ""}`;
    assert.deepEqual(names(out.path), [SUMS_FILE, program]);
    includes(result.stdout, program);

    const binary = join(out.path, program);
    if (Deno.build.os !== "windows") assert.equal(Deno.statSync(binary).mode! & 0o777, 0o755);
    const sums = Deno.readTextFileSync(join(out.path, SUMS_FILE));
    assert.match(sums, new RegExp(`^[0-9a-f]{64}  ${program.replace(".", "\\.")}\n$`));
    const check = await new Deno.Command("sha256sum", { args: ["-c", SUMS_FILE], cwd: out.path })
      .output();
    assert.equal(check.code, 0, new TextDecoder().decode(check.stdout));

    const ran = await new Deno.Command(binary, {
      args: [":memory:", "select 1+1"],
      stdin: "null",
      env: { NO_COLOR: "1" },
    }).output();
    const decoder = new TextDecoder();
    assert.equal(ran.code, 0, decoder.decode(ran.stderr));
    assert.equal(decoder.decode(ran.stdout), "2\n");
  },
});
