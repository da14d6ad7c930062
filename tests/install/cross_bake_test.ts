/**
 * The cross-target bake: `bundle build NAME --target T` for another platform bakes T's
 * variant from sqlink.lock (its members' T builds, fetched and checked, kept as bundle
 * NAME@T with its own set hash), through an emulated `deno compile` (tests/helpers/baked.ts).
 */
import assert from "node:assert/strict";
import { tempDir } from "../helpers/cli.ts";
import { canEmulateCompile, emulatedCompiler } from "../helpers/baked.ts";
import { startMirror } from "./mirror.ts";
import { machineFor, oneError } from "./helpers.ts";

Deno.test({
  name:
    "bundle build --target T bakes T's variant from the lock; a member without a T build is refused",
  ignore: !canEmulateCompile() || Deno.build.target !== "x86_64-unknown-linux-gnu",
  fn: async () => {
    using dir = tempDir();
    await using mirror = startMirror();
    using compiler = emulatedCompiler();
    const { run } = machineFor(dir.path, "laptop", mirror.url, { SQLINK_DENO: compiler.deno });
    for (const source of ["npm:sqlite-vec@0.1.6", "npm:sqlite-regex@0.2.4-alpha.1"]) {
      assert.equal((await run(["ext", "add", source])).code, 0);
    }
    const save = await run([
      "-init",
      "/dev/null",
      ":memory:",
      ".load vec0",
      ".load regex0",
      ".bundle save duo --no-build",
    ]);
    assert.equal(save.code, 0, save.stderr);
    const lock = await run(["lock", "duo"]);
    assert.match(
      lock.stdout,
      /complete for x86_64-unknown-linux-gnu, x86_64-apple-darwin, aarch64-apple-darwin, x86_64-pc-windows-msvc/,
    );
    const locked = JSON.parse(Deno.readTextFileSync(`${dir.path}/laptop/work/sqlink.lock`));

    const build = await run([
      "--grant",
      "spawn-build",
      "bundle",
      "build",
      "duo",
      "--target",
      "aarch64-apple-darwin",
    ]);
    // The emulated compiler writes programs for this machine only: the bake gets as far as
    // installing its output, which is refused for not being a darwin program. Everything
    // before it (the variant, its members checked for darwin, the stage) is what is tested.
    assert.match(
      oneError(build.stderr),
      /deno compile wrote an ELF 64-bit .* not a program for aarch64-apple-darwin/,
    );
    const calls = compiler.calls();
    assert.equal(calls.length, 1);
    assert.ok(calls[0].args.includes("aarch64-apple-darwin"), calls[0].args.join(" "));
    assert.ok(calls[0].stage.some((f) => f.endsWith("vec0.dylib")), calls[0].stage.join("\n"));
    assert.ok(calls[0].stage.some((f) => f.endsWith("regex0.dylib")), calls[0].stage.join("\n"));
    const list = JSON.parse((await run(["bundle", "list", "--json"])).stdout);
    const bundles = (list.bundles ?? list) as Array<{ name: string; setHash: string }>;
    const variant = bundles.find((b) => b.name === "duo@aarch64-apple-darwin");
    assert.ok(variant, JSON.stringify(list));
    // Its identity is the set hash of the darwin builds, as the lock says.
    assert.equal(variant.setHash, locked.bundles.duo.sets["aarch64-apple-darwin"]);
    // The darwin blobs are in the cache, checked against the lock; nothing of them was loaded.
    const stats = JSON.parse((await run(["cas", "stats", "--json"])).stdout);
    assert.equal(stats.artifacts, 4);

    const refused = await run([
      "--grant",
      "spawn-build",
      "bundle",
      "build",
      "duo",
      "--target",
      "aarch64-unknown-linux-gnu",
    ]);
    assert.equal(refused.code, 1);
    assert.match(
      oneError(refused.stderr),
      /Cannot bake bundle "duo" for aarch64-unknown-linux-gnu: its member vec0 has no build for it; the lock has it for x86_64-unknown-linux-gnu, x86_64-apple-darwin, aarch64-apple-darwin, x86_64-pc-windows-msvc/,
    );
    assert.equal(compiler.calls().length, 1);
  },
});
