/**
 * Baking (SPEC §7) from the command line, around `deno compile`: what a build stages and
 * asks deno for, where it installs and when it records; reuse of a binary already baked
 * without spawning anything (no deno anywhere, no --allow-run); and every failure (no
 * deno, an offline runtime download, a compile error, a bad target) as one clear error
 * that records nothing and leaves no file. `deno compile` itself cannot finish here (see
 * tests/helpers/baked.ts): builds that must succeed use an emulated compiler or a
 * stand-in binary; tests/bake/real_compile_test.ts runs the real thing where it works.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  assertCliError,
  assertNoStack,
  exists,
  extensions,
  type Fixture,
  TestCache,
} from "../helpers/extensions.ts";
import { offlineCompileEnv } from "../helpers/compile_probe.ts";
import { MAIN } from "../helpers/cli.ts";
import {
  binaryRows,
  bundleOf,
  canEmulateCompile,
  emulatedCompiler,
  HOST_TARGET,
  NO_RUN_PERMISSIONS,
  noDenoEnv,
  recordStandIn,
  runCommand,
  runSqlinkWith,
  tamper,
  treeOf,
  withCasAsync,
} from "../helpers/baked.ts";
import { TARGETS } from "../../lib/bake/targets.ts";
import { buildBundle } from "../../lib/bake/bake.ts";
import { readSource } from "../../lib/bake/source.ts";
import { SqlinkError } from "../../lib/errors.ts";

const GRANT = ["--grant", "spawn-build"];

/** A cache holding bundle `name` of `members` (saved in a shell without the grant). */
async function cacheWith(name: string, members: Fixture[]): Promise<TestCache> {
  const cache = new TestCache();
  const saved = await cache.script(
    members.map((f) => `.load ${f.path}\n`).join("") + `.bundle save ${name}\n`,
  );
  assert.equal(saved.code, 0, saved.stderr);
  return cache;
}

/** Nothing recorded, nothing under <root>/builds, exactly these bundles. */
function assertNothingBuilt(cache: TestCache, bundles: string[]): void {
  assert.deepEqual(binaryRows(cache), []);
  assert.deepEqual(treeOf(join(cache.root, "builds")), []);
  // Not even an empty folder: a failed first build leaves the cache root as it found it.
  assert.equal(exists(join(cache.root, "builds")), false, "an empty builds/ folder is left");
  assert.deepEqual(cache.state().bundles, bundles);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The line a build prints when it reused `path`. */
function reusedLine(name: string, path: string): RegExp {
  return new RegExp(
    `^bundle "${escape(name)}" is already baked for ${HOST_TARGET}: reused ${escape(path)}$`,
    "m",
  );
}

/** Run sqlink with all of Deno's permissions but no deno to find. */
function runWithoutDeno(cache: TestCache, args: string[], stdin?: string) {
  return runSqlinkWith(["-A"], args, { env: noDenoEnv(cache), stdin });
}

/**
 * Run sqlink where it cannot spawn anything: no deno on PATH, no SQLINK_DENO, and no
 * --allow-run from Deno.
 */
function runUnableToSpawn(cache: TestCache, args: string[], stdin?: string) {
  return runSqlinkWith(NO_RUN_PERMISSIONS, args, { env: noDenoEnv(cache), stdin });
}

Deno.test("no deno on PATH: one error saying how to get it; nothing recorded, no files", async () => {
  const ext = await extensions();
  using cache = await cacheWith("team", [ext.vec9, ext.hello]);
  const cli = await runWithoutDeno(cache, [...GRANT, "bundle", "build", "team"]);
  const stderr = assertCliError(cli, /^error: Cannot bake: there is no `deno` on PATH$/m);
  assert.match(stderr, /^hint: .*npm install -g deno@2\.9\.6.*SQLINK_DENO/m);
  assert.equal(cli.stdout, "");
  assertNothingBuilt(cache, ["team"]);

  const shell = await runWithoutDeno(cache, [
    ...GRANT,
    "-init",
    "/dev/null",
    ":memory:",
    ".bundle build team",
  ]);
  assert.equal(shell.code, 1, shell.stderr);
  assert.match(shell.stderr, /^error: Cannot bake: there is no `deno` on PATH$/m);
  assertNoStack(shell);
  assertNothingBuilt(cache, ["team"]);

  // .bundle save with the grant saves, then says the build failed and why.
  const saved = await runWithoutDeno(
    cache,
    [...GRANT, "-init", "/dev/null", ":memory:"],
    `.load ${ext.vec9.path}\n.bundle save solo\n`,
  );
  assert.equal(saved.code, 1, saved.stderr);
  assert.match(
    saved.stderr,
    /^Error: Saved bundle "solo", but could not bake it: Cannot bake: there is no `deno` on PATH$/m,
  );
  assertNothingBuilt(cache, ["solo", "team"]);

  // SQLINK_DENO naming nothing is the same kind of error.
  const named = await runSqlinkWith(["-A"], [...GRANT, "bundle", "build", "team"], {
    env: noDenoEnv(cache, { SQLINK_DENO: join(cache.dir, "no-such-deno") }),
  });
  assertCliError(named, /^error: Cannot bake: SQLINK_DENO names ".*no-such-deno", not a file$/m);
  assertNothingBuilt(cache, ["solo", "team"]);
});

Deno.test("offline: deno compile cannot download Deno's runtime; one error, nothing recorded, no partial file, stage removed", async () => {
  const ext = await extensions();
  using cache = await cacheWith("team", [ext.vec9, ext.hello]);
  using offline = await offlineCompileEnv();
  const env = { ...offline.env, ...cache.env };
  const run = (args: string[], stdin?: string) =>
    runCommand(Deno.execPath(), ["run", "--quiet", "-A", ...args], { env, clearEnv: true, stdin });
  const expected = new RegExp(
    `^error: deno compile could not download Deno's runtime for ${HOST_TARGET}: .+$`,
    "m",
  );

  const cli = await run([MAIN, ...GRANT, "bundle", "build", "team"]);
  assert.equal(cli.code, 1, cli.stderr);
  assert.equal(cli.stdout, "");
  const lines = cli.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 2, cli.stderr);
  assert.match(lines[0], expected);
  assert.match(lines[1], /^hint: \w+ where Deno can reach dl\.deno\.land\b.*DENORT_BIN/);
  assertNoStack(cli);
  assertNothingBuilt(cache, ["team"]);

  // The same through .bundle save: the bundle is saved, the build is not recorded.
  const saved = await run(
    [MAIN, ...GRANT, "-init", "/dev/null", ":memory:"],
    `.load ${ext.vec9.path}\n.bundle save solo\n`,
  );
  assert.equal(saved.code, 1, saved.stderr);
  assert.match(
    saved.stderr,
    /^Error: Saved bundle "solo", but could not bake it: deno compile could not download Deno's runtime/m,
  );
  assertNothingBuilt(cache, ["solo", "team"]);

  // compose of a new set saves it as a bundle to build; failing, it leaves none behind.
  const composed = await run([
    MAIN,
    ...GRANT,
    "compose",
    "--embed",
    "vec0",
    "-o",
    join(cache.dir, "out"),
  ]);
  assert.equal(composed.code, 1, composed.stderr);
  assert.match(composed.stderr, expected);
  assertNothingBuilt(cache, ["solo", "team"]);
  assert.deepEqual(treeOf(cache.dir).filter((p) => p.startsWith("out")), [], "no -o file");
});

Deno.test("a compile error (broken source, real deno): ECOMPILE, nothing recorded, no partial file", async () => {
  const ext = await extensions();
  using cache = await cacheWith("team", [ext.vec9, ext.hello]);
  const source = readSource();
  const broken = new Map(source.files);
  broken.set("commands/main.ts", "export const = ;\n");
  const bundle = bundleOf(cache, "team");
  await withCasAsync(cache, async (cas) => {
    const steps: string[] = [];
    const error = await buildBundle(
      {
        cas,
        root: cache.root,
        launch: { argv: [], grants: new Set(["spawn-build"]) },
        source: () => ({ files: broken }),
        onStep: (step) => steps.push(step),
      },
      bundle,
    ).then(() => undefined, (err) => err);
    assert.ok(error instanceof SqlinkError, String(error));
    assert.equal(error.code, "ECOMPILE", error.message);
    assert.match(error.message, /^deno compile failed \(exit \d+\): SyntaxError: /);
    assert.match(error.hint ?? "", /commands\/main\.ts:1:\d+/, "the hint shows where");
    assert.ok(!/Stack backtrace/.test(`${error.message}\n${error.hint}`));
    assert.deepEqual(steps, ["staging", "compiling"]);
  });
  assertNothingBuilt(cache, ["team"]);
});

Deno.test({
  name:
    "a first build (emulated compiler): stage, deno compile to a temporary name, install, then record",
  ignore: !canEmulateCompile(),
  fn: async () => {
    const ext = await extensions();
    using cache = await cacheWith("team", [ext.vec9, ext.hello]);
    using compiler = emulatedCompiler();
    const bundle = bundleOf(cache, "team");
    const setDir = join(cache.root, "builds", bundle.setHash);
    const final = join(setDir, HOST_TARGET, "sqlink");

    const built = await runSqlinkWith(["-A"], [...GRANT, "bundle", "build", "team", "--json"], {
      env: { ...Deno.env.toObject(), ...cache.env, SQLINK_DENO: compiler.deno },
    });
    assert.equal(built.code, 0, built.stderr);
    const build = JSON.parse(built.stdout).build;
    assert.equal(build.path, final);
    assert.equal(build.reused, false);
    assert.equal(build.target, HOST_TARGET);
    assert.match(build.digest, /^sha256:[0-9a-f]{64}$/);

    const [call, ...more] = compiler.calls();
    assert.deepEqual(more, [], "deno ran once");
    assert.match(call.cwd, new RegExp(`^${escape(setDir)}/\\.stage-[^/]+$`));
    const output = call.args[call.args.indexOf("--output") + 1];
    assert.match(
      output,
      new RegExp(`^${escape(join(setDir, HOST_TARGET))}/\\.sqlink-[^/]+\\.tmp$`),
    );
    assert.deepEqual(call.args, [
      "compile",
      "--target",
      HOST_TARGET,
      "--output",
      output,
      "--allow-all",
      "--no-check",
      "--config",
      "deno.json",
      "--frozen",
      "--include",
      "source.snapshot",
      "--include",
      "members",
      // Workers' modules deno compile does not find itself: the shell's interrupter thread
      // and the big put's BLAKE3 thread.
      "--include",
      "lib/sqlite/interrupt_worker.ts",
      "--include",
      "lib/cas/blake3_worker.ts",
      "baked_main.ts",
    ]);
    for (const f of ["baked_main.ts", "source.snapshot", "deno.json", "deno.lock", "main.ts"]) {
      assert.ok(call.stage.includes(f), `${f} staged: ${call.stage.join(" ")}`);
    }
    assert.deepEqual(call.stage.filter((p) => p.startsWith("members/") && p !== "members/"), [
      "members/sqlinkhello.so",
      "members/vec0.so",
    ]);
    assert.deepEqual(
      Deno.readFileSync(join(call.copy, "members/vec0.so")),
      Deno.readFileSync(ext.vec9.path),
      "the member's verified bytes",
    );
    assert.match(Deno.readTextFileSync(join(call.copy, "baked_main.ts")), /bundle "team"/);

    // Installed (renamed from the temporary name, stamped), and only then recorded; the
    // stage and the temporary file are gone.
    assert.deepEqual(treeOf(join(cache.root, "builds")), [
      `${bundle.setHash}/`,
      `${bundle.setHash}/${HOST_TARGET}/`,
      `${bundle.setHash}/${HOST_TARGET}/.sqlink.verified`,
      `${bundle.setHash}/${HOST_TARGET}/sqlink`,
    ]);
    assert.equal(Deno.statSync(final).mode! & 0o777, 0o755);
    assert.deepEqual(binaryRows(cache), [{ name: "team", target: HOST_TARGET, path: final }]);

    // bundle show lists it as intact.
    const shown = (await cache.json("bundle", "show", "team")).bundle as {
      binaries: { targetTriple: string; binaryPath: string; builtAt: number; state: string }[];
    };
    assert.equal(shown.binaries.length, 1);
    assert.equal(shown.binaries[0].targetTriple, HOST_TARGET);
    assert.equal(shown.binaries[0].binaryPath, final);
    assert.equal(shown.binaries[0].state, "intact");
    assert.ok(Math.abs(shown.binaries[0].builtAt - Date.now()) < 60_000);

    // What was built is the baked program.
    const ran = await runCommand(final, [
      "-init",
      "/dev/null",
      ":memory:",
      "select vec_version(), hello('b')",
      ".extensions",
    ], {
      env: { ...cache.env, SQLINK_CACHE_DIR: join(cache.dir, "elsewhere") },
    });
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /^v0\.1\.9\|hello, b\n/);
    assert.match(ran.stdout, /^vec0 {2}blake3:[0-9a-f]{12} {2}embedded:team$/m);

    // Again: reused, deno not run a second time.
    const again = await runUnableToSpawn(cache, [...GRANT, "bundle", "build", "team"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, reusedLine("team", final));
    assert.equal(compiler.calls().length, 1);
  },
});

Deno.test({
  name:
    "a compile that fails half-way, or writes something that is not a program: nothing recorded, no file",
  ignore: !canEmulateCompile(),
  fn: async () => {
    const ext = await extensions();
    using cache = await cacheWith("team", [ext.vec9]);
    for (
      const [mode, message] of [
        ["partial", /^error: deno compile failed \(exit 1\): Module not found \(emulated\)$/m],
        [
          "garbage",
          new RegExp(`^error: deno compile wrote .*, not a program for ${HOST_TARGET}$`, "m"),
        ],
      ] as const
    ) {
      using compiler = emulatedCompiler(mode);
      const run = await runSqlinkWith(["-A"], [...GRANT, "bundle", "build", "team"], {
        env: { ...Deno.env.toObject(), ...cache.env, SQLINK_DENO: compiler.deno },
      });
      assertCliError(run, message);
      assert.equal(compiler.calls().length, 1, mode);
      assertNothingBuilt(cache, ["team"]);
    }
  },
});

Deno.test({
  name:
    "a killed build's staging folder and temporary output are swept by the next build of the set; a live build's stay",
  ignore: !canEmulateCompile(),
  fn: async () => {
    const ext = await extensions();
    using cache = await cacheWith("team", [ext.vec9]);
    using compiler = emulatedCompiler();
    const bundle = bundleOf(cache, "team");
    const setDir = join(cache.root, "builds", bundle.setHash);
    const targetDir = join(setDir, HOST_TARGET);
    Deno.mkdirSync(targetDir, { recursive: true, mode: 0o700 });
    // What a build killed by SIGKILL leaves: its stage, deno's output and deno's own
    // temporary file beside it, all named with the PID of a process that is gone.
    const exited = new Deno.Command(Deno.execPath(), { args: ["--version"], stdout: "null" })
      .spawn();
    await exited.status;
    const dead = exited.pid;
    Deno.mkdirSync(join(setDir, `.stage-${dead}-k1`, "members"), { recursive: true });
    Deno.writeTextFileSync(join(setDir, `.stage-${dead}-k1`, "members", "vec0.so"), "bytes");
    Deno.writeTextFileSync(join(targetDir, `.sqlink-${dead}-k1.tmp`), "half a program");
    Deno.writeTextFileSync(join(targetDir, `.sqlink-${dead}-k1.tmp.tmp-x9f3`), "half");
    // A build of the same set running in a live process (this one).
    Deno.mkdirSync(join(setDir, `.stage-${Deno.pid}-live`));
    Deno.writeTextFileSync(join(targetDir, `.sqlink-${Deno.pid}-live.tmp`), "being compiled");

    const built = await runSqlinkWith(["-A"], [...GRANT, "bundle", "build", "team"], {
      env: { ...Deno.env.toObject(), ...cache.env, SQLINK_DENO: compiler.deno },
    });
    assert.equal(built.code, 0, built.stderr);
    assert.deepEqual(treeOf(join(cache.root, "builds")), [
      `${bundle.setHash}/`,
      `${bundle.setHash}/.stage-${Deno.pid}-live/`,
      `${bundle.setHash}/${HOST_TARGET}/`,
      `${bundle.setHash}/${HOST_TARGET}/.sqlink-${Deno.pid}-live.tmp`,
      `${bundle.setHash}/${HOST_TARGET}/.sqlink.verified`,
      `${bundle.setHash}/${HOST_TARGET}/sqlink`,
    ]);
  },
});

Deno.test("reuse: a binary already baked for the set is reused with no deno and no --allow-run; a changed one is not", async () => {
  const ext = await extensions();
  using cache = await cacheWith("team", [ext.vec9, ext.hello]);
  const standIn = recordStandIn(cache, "team");
  const original = Deno.readFileSync(standIn.path);

  const cli = await runUnableToSpawn(cache, [...GRANT, "bundle", "build", "team"]);
  assert.equal(cli.stderr, "");
  assert.equal(cli.code, 0);
  assert.match(cli.stdout, reusedLine("team", standIn.path));

  const json = await runUnableToSpawn(cache, [...GRANT, "bundle", "build", "team", "--json"]);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout).build, {
    name: "team",
    setHash: standIn.bundle.setHash,
    target: HOST_TARGET,
    path: standIn.path,
    digest: `sha256:${sha256(original)}`,
    reused: true,
  });

  const shell = await runUnableToSpawn(cache, [
    ...GRANT,
    "-init",
    "/dev/null",
    ":memory:",
    ".bundle build team",
  ]);
  assert.equal(shell.stderr, "");
  assert.equal(shell.code, 0);
  assert.match(shell.stdout, reusedLine("team", standIn.path));

  // .bundle save of the same set under another name, with the grant: saved, and the
  // binary is reused for it (a row for the new name, the same file).
  const saved = await runUnableToSpawn(
    cache,
    [...GRANT, "-init", "/dev/null", ":memory:"],
    `.load ${ext.hello.path}\n.load ${ext.vec9.path}\n.bundle save other\n`,
  );
  assert.equal(saved.stderr, "");
  assert.equal(saved.code, 0);
  assert.match(saved.stdout, /^saved bundle "other": set [0-9a-f]{12} \(sqlinkhello, vec0\)$/m);
  assert.match(saved.stdout, reusedLine("other", standIn.path));
  assert.deepEqual(binaryRows(cache), [
    { name: "other", target: HOST_TARGET, path: standIn.path },
    { name: "team", target: HOST_TARGET, path: standIn.path },
  ]);
  // sqlink bundle save with the grant does the same.
  const cliSaved = await runUnableToSpawn(cache, [
    ...GRANT,
    "bundle",
    "save",
    "cli-saved",
    ext.vec9.path,
    ext.hello.path,
  ]);
  assert.equal(cliSaved.stderr, "");
  assert.equal(cliSaved.code, 0);
  assert.match(
    cliSaved.stdout,
    /^saved bundle "cli-saved": set [0-9a-f]{12} \(vec0, sqlinkhello\)$/m,
  );
  assert.match(cliSaved.stdout, reusedLine("cli-saved", standIn.path));
  assert.deepEqual(binaryRows(cache).map((r) => r.name), ["cli-saved", "other", "team"]);
  // ... and `--no-build` saves without building.
  const noBuild = await runUnableToSpawn(
    cache,
    [...GRANT, "-init", "/dev/null", ":memory:"],
    `.load ${ext.hello.path}\n.load ${ext.vec9.path}\n.bundle save third --no-build\n`,
  );
  assert.equal(noBuild.code, 0, noBuild.stderr);
  assert.doesNotMatch(noBuild.stdout, /baked|reused/);
  assert.equal(binaryRows(cache).length, 3);

  // Changed after it was installed: not reused. The build goes ahead, and here fails
  // (no deno), leaving the changed file and the rows as they were.
  tamper(standIn.path);
  const tampered = Deno.readFileSync(standIn.path);
  const rebuilt = await runUnableToSpawn(cache, [...GRANT, "bundle", "build", "team"]);
  assertCliError(rebuilt, /^error: Cannot bake: there is no `deno` on PATH$/m);
  assert.deepEqual(Deno.readFileSync(standIn.path), tampered);
  assert.equal(tampered.length, original.length + 1);
  assert.equal(binaryRows(cache).length, 3);
  assert.deepEqual(treeOf(join(cache.root, "builds", standIn.bundle.setHash)), [
    `${HOST_TARGET}/`,
    `${HOST_TARGET}/.sqlink.verified`,
    `${HOST_TARGET}/sqlink`,
  ]);
  const shown = (await cache.json("bundle", "show", "team")).bundle as {
    binaries: { state: string }[];
  };
  assert.deepEqual(shown.binaries.map((b) => b.state), ["changed"]);
});

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

Deno.test("targets: an unknown one is a usage error listing the five; one the members are not built for is refused before spawning", async () => {
  const ext = await extensions();
  using cache = await cacheWith("team", [ext.vec9, ext.hello]);
  for (
    const args of [["bundle", "build", "team", "--target", "bogus"], [
      "compose",
      "--embed",
      "vec0",
      "--target",
      "bogus",
    ]]
  ) {
    const run = await runUnableToSpawn(cache, [...GRANT, ...args]);
    const stderr = assertCliError(run, /^error: Unknown target "bogus"$/m, 2);
    assert.match(stderr, new RegExp(`^hint: Deno can build for ${TARGETS.join(", ")}$`, "m"));
    assertNothingBuilt(cache, ["team"]);
  }
  // No deno and no --allow-run: had it tried to spawn deno, it would say so instead.
  const mac = await runUnableToSpawn(cache, [
    ...GRANT,
    "bundle",
    "build",
    "team",
    "--target",
    "aarch64-apple-darwin",
  ]);
  const stderr = assertCliError(
    mac,
    /^error: Cannot bake bundle "team" for aarch64-apple-darwin: member vec0 is an ELF 64-bit shared library for x86-64, and that target needs a Mach-O 64-bit shared library for AArch64$/m,
  );
  assert.match(stderr, /^hint: Save a bundle of aarch64-apple-darwin builds of its extensions/m);
  const windows = await runUnableToSpawn(cache, [
    ...GRANT,
    "bundle",
    "build",
    "team",
    "--target",
    "x86_64-pc-windows-msvc",
  ]);
  assertCliError(
    windows,
    /member vec0 is an ELF 64-bit shared library for x86-64, and that target needs a PE 64-bit/,
  );
  assertNothingBuilt(cache, ["team"]);
});

Deno.test("compose: names resolve through extension:<name>; an unknown one lists the known ones", async () => {
  const ext = await extensions();
  using cache = await cacheWith("team", [ext.vec9, ext.hello]);
  const run = await runUnableToSpawn(cache, [
    ...GRANT,
    "compose",
    "--embed",
    "vec0,nosuch",
    "--embed",
    "other",
  ]);
  const stderr = assertCliError(
    run,
    /^error: Cannot compose: the cas-cache knows no extension named "nosuch", "other"$/m,
  );
  assert.match(stderr, /^hint: Known extensions: sqlinkhello, vec0$/m);
  assertNothingBuilt(cache, ["team"]);

  using empty = new TestCache();
  const none = await runUnableToSpawn(empty, [...GRANT, "compose", "--embed", "vec0"]);
  assertCliError(none, /knows no extension named "vec0"/);
  assert.match(none.stderr, /^hint: The cas-cache knows no extensions yet: `\.load FILE` one/m);

  const twice = await runUnableToSpawn(cache, [...GRANT, "compose", "--embed", "vec0,vec0"]);
  assertCliError(twice, /^error: Extension "vec0" is named twice in --embed$/m, 2);
  assertNothingBuilt(cache, ["team"]);
});

Deno.test("compose: a set some bundle has baked is reused; -o writes an executable copy to a file or into a directory", async () => {
  const ext = await extensions();
  using cache = await cacheWith("team", [ext.vec9, ext.hello]);
  const standIn = recordStandIn(cache, "team");
  const file = join(cache.dir, "my-sqlink");
  const run = await runUnableToSpawn(cache, [
    ...GRANT,
    "compose",
    "--embed",
    "sqlinkhello,vec0",
    "-o",
    file,
  ]);
  assert.equal(run.stderr, "");
  assert.equal(run.code, 0);
  assert.match(run.stdout, reusedLine("team", standIn.path));
  assert.match(run.stdout, new RegExp(`^wrote ${escape(file)}$`, "m"));
  assert.doesNotMatch(run.stdout, /saved the set/);
  assert.deepEqual(Deno.readFileSync(file), Deno.readFileSync(standIn.path));
  assert.equal(Deno.statSync(file).mode! & 0o777, 0o755);

  const dir = join(cache.dir, "bin");
  Deno.mkdirSync(dir);
  const json = await runUnableToSpawn(cache, [
    ...GRANT,
    "compose",
    "--embed",
    "vec0,sqlinkhello",
    "-o",
    dir,
    "--json",
  ]);
  assert.equal(json.code, 0, json.stderr);
  const out = JSON.parse(json.stdout);
  assert.equal(out.created, false);
  assert.equal(out.output, join(dir, "sqlink"));
  assert.equal(out.build.reused, true);
  assert.equal(out.build.name, "team");
  assert.deepEqual(Deno.readFileSync(join(dir, "sqlink")), Deno.readFileSync(standIn.path));
  assert.equal(Deno.statSync(join(dir, "sqlink")).mode! & 0o777, 0o755);
  assert.deepEqual(treeOf(dir), ["sqlink"], "no temporary file left");

  // The copy is the baked program.
  const ran = await runCommand(join(dir, "sqlink"), ["-init", "/dev/null", ":memory:", ".bundle"], {
    env: { ...cache.env, SQLINK_CACHE_DIR: join(cache.dir, "elsewhere") },
  });
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /^embedded bundle: team$/m);
  assert.deepEqual(cache.state().bundles, ["team"]);
});

Deno.test({
  name:
    "compose: a new set is saved as compose-<hash> and built; the same set again is reused without spawning",
  ignore: !canEmulateCompile(),
  fn: async () => {
    const ext = await extensions();
    using cache = new TestCache();
    const loaded = await cache.script(`.load ${ext.vec9.path}\n.load ${ext.lines.path}\n`);
    assert.equal(loaded.code, 0, loaded.stderr);
    using compiler = emulatedCompiler();
    const first = await runSqlinkWith(["-A"], [
      ...GRANT,
      "compose",
      "--embed",
      "lines0,vec0",
      "--json",
    ], {
      env: { ...Deno.env.toObject(), ...cache.env, SQLINK_DENO: compiler.deno },
    });
    assert.equal(first.code, 0, first.stderr);
    const made = JSON.parse(first.stdout);
    assert.equal(made.created, true);
    assert.equal(made.build.reused, false);
    const name = made.build.name as string;
    assert.equal(name, `compose-${String(made.build.setHash).slice(0, 12)}`);
    assert.deepEqual(cache.state().bundles, [name]);
    const members = bundleOf(cache, name).members;
    assert.deepEqual(members.map((m) => [m.extensionName, m.contentHash]), [
      ["lines0", ext.lines.blake3],
      ["vec0", ext.vec9.blake3],
    ]);
    assert.equal(compiler.calls().length, 1);

    // The same set, in another order: no build, nothing spawned.
    const again = await runUnableToSpawn(cache, [...GRANT, "compose", "--embed", "vec0,lines0"]);
    assert.equal(again.stderr, "");
    assert.equal(again.code, 0);
    assert.match(again.stdout, reusedLine(name, made.build.path));
    assert.doesNotMatch(again.stdout, /saved the set/);
    assert.equal(compiler.calls().length, 1);
    assert.deepEqual(cache.state().bundles, [name]);
  },
});

Deno.test("bundle delete removes the set's builds once no bundle names the set", async () => {
  const ext = await extensions();
  using cache = await cacheWith("team", [ext.vec9, ext.hello]);
  const standIn = recordStandIn(cache, "team");
  const setDir = join(cache.root, "builds", standIn.bundle.setHash);
  const alias = await cache.script(
    `.load ${ext.vec9.path}\n.load ${ext.hello.path}\n.bundle save alias\n`,
  );
  assert.equal(alias.code, 0, alias.stderr);

  const first = await cache.cli("bundle", "delete", "team");
  assert.equal(first.code, 0, first.stderr);
  assert.ok(treeOf(setDir).includes(`${HOST_TARGET}/sqlink`), "alias still names the set");

  const second = await cache.cli("bundle", "delete", "alias");
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(treeOf(setDir), []);
  assert.deepEqual(binaryRows(cache), []);
});

// yargs reads `--no-build` as the negation of an option "build", which must exist.
Deno.test({
  name: "sqlink bundle save --no-build with the grant saves without building",
  fn: async () => {
    const ext = await extensions();
    using cache = await cacheWith("team", [ext.vec9, ext.hello]);
    recordStandIn(cache, "team");
    const run = await runUnableToSpawn(cache, [
      ...GRANT,
      "bundle",
      "save",
      "unbuilt",
      ext.vec9.path,
      ext.hello.path,
      "--no-build",
    ]);
    assert.equal(run.stderr, "");
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^saved bundle "unbuilt"/m);
    assert.doesNotMatch(run.stdout, /baked|reused/);
    assert.deepEqual(binaryRows(cache).map((r) => r.name), ["team"]);
  },
});
