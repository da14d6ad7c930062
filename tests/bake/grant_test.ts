/**
 * The spawn-build capability (SPEC §7): baking runs another program, so `.bundle build`,
 * `sqlink bundle build` and `sqlink compose` need `--grant spawn-build` on the command
 * line, and Deno's own --allow-run. Without them: one error, the exact command to relaunch
 * with (which really works), and nothing recorded.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { MAIN, ROOT, runSqlink } from "../helpers/cli.ts";
import { assertNoStack, extensions, type Fixture, TestCache } from "../helpers/extensions.ts";
import {
  binaryRows,
  canEmulateCompile,
  emulatedCompiler,
  HOST_TARGET,
  NO_RUN_PERMISSIONS,
  recordStandIn,
  runCommand,
  runSqlinkWith,
  treeOf,
} from "../helpers/baked.ts";

/** POSIX shell quoting, written here from the shell's rules (not with lib/). */
function quote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A cache with bundle "team" (vec0, sqlinkhello), saved without the grant. */
async function teamCache(): Promise<{ cache: TestCache; members: Fixture[] }> {
  const ext = await extensions();
  const cache = new TestCache();
  const saved = await cache.script(
    `.load ${ext.vec9.path}\n.load ${ext.hello.path}\n.bundle save team\n`,
  );
  assert.equal(saved.code, 0, saved.stderr);
  assert.doesNotMatch(saved.stdout, /baked|reused/, "no grant: save does not bake");
  return { cache, members: [ext.vec9, ext.hello] };
}

/** Nothing was recorded or left behind: no binary rows, no files under <root>/builds. */
function assertNothingBuilt(cache: TestCache, bundles = ["team"]): void {
  assert.deepEqual(binaryRows(cache), []);
  assert.deepEqual(treeOf(join(cache.root, "builds")), []);
  assert.deepEqual(cache.state().bundles, bundles);
}

/** The `hint: Relaunch with: …` command of an ENOGRANT error. */
function relaunchOf(stderr: string): string {
  const match = /^hint: Relaunch with: (.*)$/m.exec(stderr);
  assert.ok(match, `a relaunch hint: ${stderr}`);
  return match[1];
}

Deno.test("no grant: .bundle build, bundle build and compose name the exact command to relaunch with, which works", async () => {
  const { cache } = await teamCache();
  using _ = cache;
  const cwd = cache.dir; // main.ts is then shown by its absolute path
  const cases = [
    {
      what: ".bundle build",
      args: ["-init", "/dev/null", ":memory:", ".bundle build team"],
      doing: 'Baking bundle "team"',
    },
    { what: "bundle build", args: ["bundle", "build", "team"], doing: 'Baking bundle "team"' },
    {
      what: "compose",
      args: ["compose", "--embed", "vec0,sqlinkhello"],
      doing: "Composing a baked sqlink",
    },
  ];
  const hints: string[] = [];
  for (const c of cases) {
    const result = await runSqlink(c.args, { env: cache.env, cwd });
    assert.equal(result.code, 1, `${c.what}: ${result.stderr}`);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      new RegExp(
        `^error: ${c.doing} needs the spawn-build capability, and this session was not granted it$`,
        "m",
      ),
    );
    assertNoStack(result);
    const relaunch = relaunchOf(result.stderr);
    assert.equal(
      relaunch,
      ["deno", "run", "-A", MAIN, "--grant", "spawn-build", ...c.args].map(quote).join(" "),
      c.what,
    );
    assert.equal(result.stderr.trimEnd().split("\n").length, 2, result.stderr);
    hints.push(relaunch);
    assertNothingBuilt(cache);
  }
  assert.match(hints[0], / '\.bundle build team'$/, "the SQL argument is quoted");

  // From the checkout's root, main.ts is named as typed.
  const fromRoot = await runSqlink(["bundle", "build", "team"], { env: cache.env, cwd: ROOT });
  assert.equal(
    relaunchOf(fromRoot.stderr),
    "deno run -A main.ts --grant spawn-build bundle build team",
  );

  // Run each relaunch command as a user would paste it: it gets past the grant check. A
  // baked binary is recorded first, so it succeeds by reusing it (no deno compile here).
  const standIn = recordStandIn(cache, "team");
  for (const [i, relaunch] of hints.entries()) {
    const result = await runCommand("sh", ["-c", relaunch], { env: cache.env, cwd });
    assert.equal(result.code, 0, `${cases[i].what}: ${relaunch}\n${result.stderr}`);
    assert.doesNotMatch(result.stderr, /spawn-build capability/);
    assert.match(
      result.stdout,
      new RegExp(
        `^bundle "team" is already baked for ${HOST_TARGET}: reused ${
          standIn.path.replace(/[.]/g, "\\.")
        }$`,
        "m",
      ),
      `${cases[i].what}: ${result.stdout}`,
    );
  }
  assert.deepEqual(binaryRows(cache), [{ name: "team", target: HOST_TARGET, path: standIn.path }]);
  assert.deepEqual(cache.state().bundles, ["team"], "compose found the set in team");
});

Deno.test("--grant: an unknown capability, or none, is refused in the shell and on the command line", async () => {
  const { cache } = await teamCache();
  using _ = cache;
  for (const args of [["--grant", "bogus"], ["--grant=bogus"], ["-grant", "bogus"]]) {
    const shell = await cache.shell([...args, ":memory:", "select 1"]);
    assert.equal(shell.code, 1, shell.stderr);
    assert.equal(shell.stdout, "", "nothing ran");
    assert.match(shell.stderr, /^sqlink: Error: Unknown capability "bogus" for --grant$/m);
    assert.match(shell.stderr, /^hint: sqlink can grant: spawn-build\b/m);
    assertNoStack(shell);

    const cli = await cache.cli(...args, "bundle", "build", "team");
    assert.equal(cli.code, 2, cli.stderr);
    assert.equal(cli.stdout, "");
    assert.match(cli.stderr, /^error: Unknown capability "bogus" for --grant$/m);
    assert.match(cli.stderr, /^hint: sqlink can grant: spawn-build\b/m);
    assertNoStack(cli);
  }

  const shellMissing = await cache.shell([":memory:", "--grant"]);
  assert.equal(shellMissing.code, 1, shellMissing.stderr);
  assert.match(shellMissing.stderr, /^sqlink: Error: missing argument to --grant$/m);

  const cliMissing = await cache.cli("bundle", "build", "team", "--grant");
  assert.equal(cliMissing.code, 2, cliMissing.stderr);
  assert.match(cliMissing.stderr, /^error: Missing argument to --grant$/m);
  assert.match(cliMissing.stderr, /^hint: Grant a capability by name: --grant spawn-build$/m);
  assertNoStack(cliMissing);

  const json = await cache.cli("--grant", "bogus", "bundle", "list", "--json");
  assert.equal(json.code, 2);
  assert.deepEqual(JSON.parse(json.stdout).error, {
    code: "EUSAGE",
    message: 'Unknown capability "bogus" for --grant',
    hint: "sqlink can grant: spawn-build (e.g. sqlink --grant spawn-build db.sqlite)",
  });
  assertNothingBuilt(cache);
});

Deno.test("with the grant but without Deno's --allow-run (no terminal to ask on): one error naming --allow-run", async () => {
  const { cache } = await teamCache();
  using _ = cache;
  const env = { ...Deno.env.toObject(), ...cache.env, NO_COLOR: "1" };
  const cases = [
    ["--grant", "spawn-build", "-init", "/dev/null", ":memory:", ".bundle build team"],
    ["--grant", "spawn-build", "bundle", "build", "team"],
    ["--grant", "spawn-build", "compose", "--embed", "vec0"],
  ];
  for (const args of cases) {
    const result = await runSqlinkWith(NO_RUN_PERMISSIONS, args, { env, cwd: cache.dir });
    assert.equal(result.code, 1, `${args.join(" ")}: ${result.stderr}`);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      /^error: Deno does not allow this process to run deno: the --allow-run permission is missing$/m,
    );
    const hint = /^hint: Relaunch with Deno's --allow-run \(or -A\): (.*)$/m.exec(result.stderr);
    assert.ok(hint, result.stderr);
    assert.equal(hint[1], ["deno", "run", "-A", MAIN, ...args].map(quote).join(" "));
    assertNoStack(result);
    // compose saved nothing either: its new bundle is gone again.
    assertNothingBuilt(cache);
  }
});

Deno.test({
  name: "Deno's --allow-run for the deno it runs, and nothing else, is enough to bake",
  ignore: !canEmulateCompile(),
  fn: async () => {
    const { cache } = await teamCache();
    using _ = cache;
    using compiler = emulatedCompiler();
    const env = { ...Deno.env.toObject(), ...cache.env, NO_COLOR: "1", SQLINK_DENO: compiler.deno };
    const result = await runSqlinkWith(
      [...NO_RUN_PERMISSIONS, `--allow-run=${compiler.deno}`],
      ["--grant", "spawn-build", "bundle", "build", "team"],
      { env },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^baked bundle "team" for ${HOST_TARGET}: `, "m"));
    assert.equal(compiler.calls().length, 1);
    assert.equal(binaryRows(cache).length, 1);
  },
});

Deno.test("a dot-command cannot grant itself: .bundle build --grant spawn-build in a shell without the grant", async () => {
  const { cache } = await teamCache();
  using _ = cache;
  // Even with a baked binary to reuse, the build must not go ahead.
  const standIn = recordStandIn(cache, "team");
  for (
    const command of [
      ".bundle build team --grant spawn-build",
      ".bundle build --grant=spawn-build team",
    ]
  ) {
    const result = await cache.shell([":memory:", command]);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      /^Error: Capabilities are granted when sqlink starts, not by a dot-command\nhint: Relaunch with: .* --grant spawn-build /,
    );
    assert.doesNotMatch(result.stderr, /reused|baked bundle/);
    assertNoStack(result);
  }
  // Neither through a script on stdin, nor with .bundle save.
  const ext = await extensions();
  const script = await cache.script(
    `.bundle build team --grant spawn-build\n.load ${ext.vec9.path}\n.load ${ext.hello.path}\n` +
      `.bundle save again\n`,
  );
  assert.match(script.stdout, /^saved bundle "again"/m);
  assert.doesNotMatch(script.stdout, /reused|baked/);
  assert.deepEqual(binaryRows(cache), [{ name: "team", target: HOST_TARGET, path: standIn.path }]);
});
