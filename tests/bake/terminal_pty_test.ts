/**
 * Baking at a terminal: the build shows which step it is in (and nothing of the kind when
 * piped), and when Deno does not yet allow running `deno`, Deno asks, and the answer
 * decides. The compile itself fails here (no runtime download: see offlineCompileEnv), which
 * is enough to see the steps before it.
 */
import assert from "node:assert/strict";
import { MAIN, PERMISSIONS } from "../helpers/cli.ts";
import { offlineCompileEnv } from "../helpers/compile_probe.ts";
import { extensions, TestCache } from "../helpers/extensions.ts";
import { PtySession } from "../helpers/pty.ts";

/** A cache holding bundle `b` of vec0. */
async function cacheWithBundle(): Promise<TestCache> {
  const { vec9 } = await extensions();
  const cache = new TestCache();
  const saved = await cache.cli("bundle", "save", "b", vec9.path);
  assert.equal(saved.code, 0, saved.stderr);
  return cache;
}

/**
 * Answer Deno's permission prompt. Deno empties the terminal's input after it shows the
 * prompt, so a key pressed too early is lost: press it again until Deno has taken it.
 */
async function answer(shell: PtySession, key: "y" | "n"): Promise<void> {
  await shell.expect(/Allow\? \[y\/n/);
  const taken = key === "y" ? /Granted run access/ : /Denied run access/;
  for (let attempt = 0; attempt < 20; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    await shell.type(`${key}\r`);
    try {
      await shell.expect(taken, 1000);
      return;
    } catch {
      // Not taken yet: press it again.
    }
  }
  throw new Error(`Deno never took the answer "${key}": ${shell.text}`);
}

/** Permissions without --allow-run (PERMISSIONS may be -A: spelled out instead). */
const NO_RUN = ["--allow-read", "--allow-write", "--allow-env", "--allow-ffi", "--allow-sys"];

Deno.test("pty: a build shows its steps on a terminal, and none when piped", async () => {
  using cache = await cacheWithBundle();
  using offline = await offlineCompileEnv();
  const args = ["--grant", "spawn-build", "bundle", "build", "b"];
  await using shell = new PtySession(
    [Deno.execPath(), "run", "--quiet", ...PERMISSIONS, MAIN, ...args],
    { env: { ...offline.env, ...cache.env, NO_COLOR: "1" } },
  );
  const exit = await shell.wait(120_000);
  assert.equal(exit.code, 1, exit.text);
  assert.match(shell.raw, /baking "b" for x86_64-unknown-linux-gnu: staging the source/);
  assert.match(shell.raw, /compiling with deno compile… \d+s/);
  assert.match(exit.text, /error: deno compile could not download Deno's runtime/);

  const piped = await cache.cli(...args);
  assert.equal(piped.code, 1);
  assert.doesNotMatch(piped.stderr, /baking|compiling with/);
  assert.match(piped.stderr, /^error: /);
});

/** `sqlink --grant spawn-build bundle build b` at a terminal, without --allow-run. */
function buildWithoutRun(env: Record<string, string>): PtySession {
  const args = ["--grant", "spawn-build", "bundle", "build", "b"];
  return new PtySession([Deno.execPath(), "run", "--quiet", ...NO_RUN, MAIN, ...args], {
    env: { ...env, NO_COLOR: "1" },
  });
}

Deno.test("pty: without --allow-run Deno asks; no means one error naming --allow-run", async () => {
  using cache = await cacheWithBundle();
  await using shell = buildWithoutRun(cache.env);
  await shell.expect(/requests run access to .*deno/);
  await answer(shell, "n");
  const exit = await shell.wait(120_000);
  assert.equal(exit.code, 1, exit.text);
  assert.match(
    exit.text,
    /Deno does not allow this process to run deno: the --allow-run permission/,
  );
  assert.deepEqual(cache.sql("SELECT * FROM __cas_bundle_binary"), []);
});

Deno.test("pty: without --allow-run Deno asks; yes lets the build go on", async () => {
  using cache = await cacheWithBundle();
  using offline = await offlineCompileEnv();
  await using shell = buildWithoutRun({ ...offline.env, ...cache.env });
  await shell.expect(/requests run access to .*deno/);
  await answer(shell, "y");
  const exit = await shell.wait(120_000);
  // Past the permission: the compile ran, and failed only for want of a network.
  assert.equal(exit.code, 1, exit.text);
  assert.match(exit.text, /deno compile could not download Deno's runtime/);
});
