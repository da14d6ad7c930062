/**
 * Baking for real (SPEC §7), end to end: `.bundle save` in a shell granted spawn-build
 * bakes; the binary runs with its embedded set on a machine that never saw the extensions;
 * building again reuses it (even with no deno to be found); `--bundle` runs it; compose -o
 * writes a working copy; and the baked program bakes in turn from the source it embeds.
 *
 * With the real `deno compile` this runs wherever it works (it downloads Deno's runtime,
 * so not on offline machines). The same scenario runs with the emulated compiler of
 * tests/helpers/baked.ts everywhere gcc is, so the scenario itself is exercised on every
 * machine.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { extensions, TestCache } from "../helpers/extensions.ts";
import { compileWorks } from "../helpers/compile_probe.ts";
import {
  binaryRows,
  bundleOf,
  canEmulateCompile,
  emulatedCompiler,
  HOST_TARGET,
  NO_RUN_PERMISSIONS,
  noDenoEnv,
  runCommand,
  runSqlinkWith,
} from "../helpers/baked.ts";
import { binaryPath } from "../../lib/bake/binary.ts";

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The whole journey, with `deno` (for SQLINK_DENO) as the compiler. */
async function bakeForReal(deno: string): Promise<void> {
  const ext = await extensions();
  using cache = new TestCache();
  const env = { ...Deno.env.toObject(), ...cache.env, NO_COLOR: "1", SQLINK_DENO: deno };
  const sqlink = (args: string[], stdin?: string) => runSqlinkWith(["-A"], args, { env, stdin });
  const elsewhere = { ...cache.env, NO_COLOR: "1", SQLINK_CACHE_DIR: join(cache.dir, "elsewhere") };

  // .bundle save in a granted shell saves and bakes.
  const saved = await sqlink(
    ["--grant", "spawn-build", "-init", "/dev/null", ":memory:"],
    `.load ${ext.vec9.path}\n.load ${ext.hello.path}\n.bundle save team\n`,
  );
  assert.equal(saved.code, 0, saved.stderr);
  const bundle = bundleOf(cache, "team");
  const binary = binaryPath(cache.root, bundle.setHash, HOST_TARGET);
  assert.match(saved.stdout, /^saved bundle "team": set [0-9a-f]{12} \(vec0, sqlinkhello\)$/m);
  assert.match(
    saved.stdout,
    new RegExp(`^baked bundle "team" for ${HOST_TARGET}: ${escape(binary)}$`, "m"),
  );
  assert.deepEqual(binaryRows(cache), [{ name: "team", target: HOST_TARGET, path: binary }]);
  assert.equal(Deno.statSync(binary).mode! & 0o777, 0o755);

  // The binary on a machine that has never seen these extensions.
  const ran = await runCommand(binary, [":memory:", "select vec_version(), hello('real')"], {
    env: elsewhere,
  });
  assert.equal(ran.stderr, "");
  assert.equal(ran.stdout, "v0.1.9|hello, real\n");
  assert.equal(ran.code, 0);
  const listed = await runCommand(binary, ["-init", "/dev/null", ":memory:", ".extensions"], {
    env: elsewhere,
  });
  assert.equal(listed.code, 0, listed.stderr);
  for (const f of [ext.vec9, ext.hello]) {
    assert.match(
      listed.stdout,
      new RegExp(`^${f.name}  blake3:${f.blake3.slice(0, 12)}  embedded:team$`, "m"),
    );
  }

  // Building again reuses it; so it does with no deno to be found and no --allow-run.
  const reusedLine = new RegExp(
    `^bundle "team" is already baked for ${HOST_TARGET}: reused ${escape(binary)}$`,
    "m",
  );
  const again = await sqlink(["--grant", "spawn-build", "bundle", "build", "team"]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, reusedLine);
  const stranded = await runSqlinkWith(
    NO_RUN_PERMISSIONS,
    ["--grant", "spawn-build", "bundle", "build", "team"],
    { env: noDenoEnv(cache) },
  );
  assert.equal(stranded.code, 0, stranded.stderr);
  assert.match(stranded.stdout, reusedLine);

  // --bundle runs it.
  const launched = await sqlink([
    "--bundle",
    "team",
    "-init",
    "/dev/null",
    ":memory:",
    ".extensions",
  ]);
  assert.equal(launched.code, 0, launched.stderr);
  assert.match(launched.stdout, /^vec0 {2}blake3:[0-9a-f]{12} {2}embedded:team$/m);

  // compose -o writes a working copy.
  const outDir = join(cache.dir, "bin");
  Deno.mkdirSync(outDir);
  const composed = await sqlink([
    "--grant",
    "spawn-build",
    "compose",
    "--embed",
    "vec0,sqlinkhello",
    "-o",
    outDir,
  ]);
  assert.equal(composed.code, 0, composed.stderr);
  assert.match(composed.stdout, reusedLine);
  const copy = join(outDir, "sqlink");
  assert.deepEqual(Deno.readFileSync(copy), Deno.readFileSync(binary));
  const copyRan = await runCommand(copy, [":memory:", "select hello('copy')"], { env: elsewhere });
  assert.equal(copyRan.code, 0, copyRan.stderr);
  assert.equal(copyRan.stdout, "hello, copy\n");

  // The baked program bakes in turn (from the source snapshot it embeds): a bundle of one
  // extension, saved and baked by the baked binary itself.
  const nested = await runCommand(
    binary,
    ["--grant", "spawn-build", "bundle", "save", "solo", ext.lines.path],
    { env: { ...env, SQLINK_CACHE_DIR: cache.root } },
  );
  assert.equal(nested.code, 0, nested.stderr);
  const solo = bundleOf(cache, "solo");
  const soloBinary = binaryPath(cache.root, solo.setHash, HOST_TARGET);
  assert.match(nested.stdout, new RegExp(`^baked bundle "solo" for ${HOST_TARGET}: `, "m"));
  const soloRan = await runCommand(soloBinary, [":memory:", "select lines_version()"], {
    env: elsewhere,
  });
  assert.equal(soloRan.code, 0, soloRan.stderr);
  assert.equal(soloRan.stdout, "v0.2.2\n");
}

Deno.test({
  name:
    "real deno compile: save bakes, the binary runs, builds reuse it, --bundle runs it, compose -o copies it",
  ignore: !(await compileWorks()),
  fn: () => bakeForReal(Deno.execPath()),
});

Deno.test({
  name:
    "the same journey with the emulated compiler (checks the scenario where deno compile cannot run)",
  ignore: !canEmulateCompile(),
  fn: async () => {
    using compiler = emulatedCompiler();
    await bakeForReal(compiler.deno);
    assert.equal(compiler.calls().length, 2, "team, then solo from the baked program");
  },
});
