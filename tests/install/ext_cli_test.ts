/**
 * `sqlink ext add|ls|rm|update` and `.load NAME` end to end: the real CLI against real npm
 * packages, served by a loopback mirror of the registry (tests/install/mirror.ts), and once
 * against the public registry itself. Every bad input ends in one clear error with nothing
 * installed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../helpers/cli.ts";
import { Machine } from "../remote/helpers.ts";
import { machineFor, oneError } from "./helpers.ts";
import { closedPort, startMirror } from "./mirror.ts";
import { sha256Hex } from "../../lib/cas/sha256.ts";

async function installedNames(run: (args: string[]) => Promise<{ stdout: string; code: number }>) {
  const ls = await run(["ext", "ls", "--json"]);
  assert.equal(ls.code, 0);
  return (JSON.parse(ls.stdout).extensions as Array<{ name: string; version: string }>).map((e) =>
    `${e.name}@${e.version}`
  );
}

async function artifactCount(run: (args: string[]) => Promise<{ stdout: string }>) {
  return JSON.parse((await run(["cas", "stats", "--json"])).stdout).artifacts as number;
}

Deno.test("ext add: sqlite-vec (two versions), sqlite-lines, sqlite-path, sqlite-regex from the registry; .load NAME and --load NAME load them from the cache", async () => {
  using dir = tempDir();
  await using mirror = startMirror();
  const { run } = machineFor(dir.path, "laptop", mirror.url);
  const add = await run(["ext", "add", "npm:sqlite-vec@0.1.6"]);
  assert.equal(add.code, 0, add.stderr);
  assert.match(
    add.stdout,
    /^installed vec0@0\.1\.6 {2}[0-9a-f]{16} .* from npm:sqlite-vec-linux-x64@0\.1\.6\/vec0\.so\n$/,
  );
  for (
    const source of [
      "npm:sqlite-lines@0.2.2",
      "npm:sqlite-path@0.2.1",
      "npm:sqlite-regex@0.2.4-alpha.1",
    ]
  ) {
    const r = await run(["ext", "add", source]);
    assert.equal(r.code, 0, r.stderr);
  }
  // Another version under another name, side by side.
  const newer = await run(["ext", "add", "npm:sqlite-vec@0.1.9", "--name", "vec9"]);
  assert.equal(newer.code, 0, newer.stderr);
  assert.deepEqual(await installedNames(run), [
    "lines0@0.2.2",
    "path0@0.2.1",
    "regex0@0.2.4-alpha.1",
    "vec0@0.1.6",
    "vec9@0.1.9",
  ]);
  // Only the platform packages were fetched: metadata of the five, then their tarballs.
  assert.ok(
    mirror.seen.every((p) => !/darwin|windows|arm64/.test(p) || !p.endsWith(".tgz")),
    mirror.seen.join("\n"),
  );

  const shell = await run([
    "-init",
    "/dev/null",
    ":memory:",
    ".load vec0",
    ".load lines0",
    ".load path0",
    ".load regex0",
    "select vec_version(), lines_version(), path_version(), regex_version()",
    ".extensions",
  ]);
  assert.equal(shell.code, 0, shell.stderr);
  assert.match(shell.stdout, /^v0\.1\.6\|v0\.2\.2\|v0\.2\.1\|v0\.2\.4-alpha\.1\n/);
  assert.match(
    shell.stdout,
    /vec0 {2}blake3:[0-9a-f]{12} {2}npm:sqlite-vec-linux-x64@0\.1\.6\/vec0\.so/,
  );
  assert.match(
    shell.stdout,
    /lines0 {2}blake3:[0-9a-f]{12} {2}npm:sqlite-lines-linux-x64@0\.2\.2\/lib\/lines0\.so/,
  );
  const launch = await run([
    "--load",
    "vec9",
    "-init",
    "/dev/null",
    ":memory:",
    "select vec_version()",
  ]);
  assert.equal(launch.code, 0, launch.stderr);
  assert.equal(launch.stdout, "v0.1.9\n");
  // A name nothing installed is still "no such file".
  const unknown = await run(["-init", "/dev/null", ":memory:", ".load nosuch0"]);
  assert.match(unknown.stderr, /Cannot load "nosuch0": no such file/);

  const rm = await run(["ext", "rm", "vec9"]);
  assert.equal(rm.code, 0, rm.stderr);
  assert.match(rm.stdout, /^removed vec9 \(npm:sqlite-vec-linux-x64@0\.1\.9\/vec0\.so\)/);
  const gone = await run(["-init", "/dev/null", ":memory:", ".load vec9"]);
  assert.match(gone.stderr, /Cannot load "vec9": no such file/);
  const again = await run(["ext", "rm", "vec9"]);
  assert.equal(again.code, 1);
  assert.match(oneError(again.stderr), /No extension called "vec9" is installed/);
});

Deno.test("ext update: a range resolves again to the newest matching version; an exact one stays", async () => {
  using dir = tempDir();
  await using mirror = startMirror();
  const { run, machine } = machineFor(dir.path, "laptop", mirror.url);
  assert.equal((await run(["ext", "add", "npm:sqlite-vec@0.1.6"])).code, 0);
  assert.equal((await run(["ext", "add", "npm:sqlite-lines@0.2.2"])).code, 0);
  // As if vec0 had been installed from a range while 0.1.6 was its newest match.
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(machine.casFile);
  db.exec(
    `UPDATE __cas_ext_origin SET source = 'npm:sqlite-vec@>=0.1.6 <0.1.10' WHERE name = 'vec0'`,
  );
  db.close();
  const update = await run(["ext", "update"]);
  assert.equal(update.code, 0, update.stderr);
  assert.match(update.stdout, /^lines0: up to date \(0\.2\.2\)$/m);
  assert.match(update.stdout, /^updated vec0@0\.1\.9 .* \(was @0\.1\.6\)$/m);
  const shell = await run(["-init", "/dev/null", ":memory:", ".load vec0", "select vec_version()"]);
  assert.equal(shell.stdout, "v0.1.9\n", shell.stderr);
  const one = await run(["ext", "update", "nosuch"]);
  assert.equal(one.code, 1);
  assert.match(oneError(one.stderr), /No extension called "nosuch" is installed/);
});

/** Run `ext add SOURCE` expecting one error; nothing may be installed or cached after it. */
async function refused(
  run: (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>,
  source: string[],
  code: number,
  message: RegExp,
) {
  const r = await run(["ext", "add", ...source]);
  assert.equal(r.code, code, `${source.join(" ")}: ${r.stderr}`);
  assert.match(oneError(r.stderr), message, source.join(" "));
  assert.equal(r.stdout, "");
  assert.deepEqual(await installedNames(run), [], source.join(" "));
  assert.equal(await artifactCount(run), 0, source.join(" "));
}

Deno.test("ext add refuses bad input with one clear error and installs nothing", async () => {
  using dir = tempDir();
  await using mirror = startMirror();
  const { run } = machineFor(dir.path, "laptop", mirror.url);
  await refused(
    run,
    ["npm:sqlite-no-such-package-0"],
    1,
    /No package "sqlite-no-such-package-0" is published on the npm registry http:\/\/127\.0\.0\.1/,
  );
  await refused(run, ["npm:sqlite-vec@0.0.999"], 1, /No version of sqlite-vec matches "0\.0\.999"/);
  await refused(
    run,
    ["npm:sqlite-vec@not a range!"],
    2,
    /"not a range!" is neither a version, a range nor a tag of sqlite-vec/,
  );
  await refused(run, ["npm:Bad Name"], 2, /"npm:Bad Name" does not name an npm package/);
  await refused(run, ["sqlite-vec"], 2, /"sqlite-vec" is not an extension source/);
  await refused(
    run,
    ["npm:sqlite-vec@0.1.6", "--name", "../evil"],
    2,
    /"\.\.\/evil" is not a valid extension name/,
  );
  // A package that is not of the sqlite-dist family (no platform packages).
  await refused(run, ["npm:semver@7.7.3"], 1, /semver@7\.7\.3 names no per-platform packages/);
});

Deno.test("ext add: a tarball whose bytes do not match dist.integrity is refused before it is read", async () => {
  using dir = tempDir();
  await using mirror = startMirror("flip");
  const { run } = machineFor(dir.path, "laptop", mirror.url);
  await refused(
    run,
    ["npm:sqlite-vec@0.1.6"],
    1,
    /The tarball of sqlite-vec-linux-x64@0\.1\.6 does not match the registry's integrity: expected sha512-\S+, found sha512-\S+/,
  );
});

Deno.test("ext add: a package without a loadable library is refused", async () => {
  using dir = tempDir();
  await using mirror = startMirror("nolib", { only: "sqlite-lines-linux-x64-0.2.2.tgz" });
  const { run } = machineFor(dir.path, "laptop", mirror.url);
  await refused(
    run,
    ["npm:sqlite-lines@0.2.2"],
    1,
    /sqlite-lines-linux-x64@0\.2\.2 holds no loadable library \(no \*\.so file/,
  );
});

Deno.test("ext add: a registry that is down, or that stalls, is one error, not a hang", async () => {
  using dir = tempDir();
  const down = machineFor(dir.path, "down", `http://127.0.0.1:${closedPort()}/`);
  await refused(
    down.run,
    ["npm:sqlite-vec@0.1.6"],
    1,
    /Cannot download the metadata of sqlite-vec from http:\/\/127\.0\.0\.1:\d+\/sqlite-vec: cannot connect/,
  );
  await using mirror = startMirror("stall");
  const slow = machineFor(dir.path, "slow", mirror.url, { npm_config_fetch_timeout: "1500" });
  const started = Date.now();
  await refused(
    slow.run,
    ["npm:sqlite-vec@0.1.6"],
    1,
    /Cannot download the metadata of sqlite-vec .* made no progress for 1\.5 s/,
  );
  assert.ok(Date.now() - started < 30_000);
});

Deno.test("ext add https://…#sha256=: a pinned download installs; unpinned or wrongly pinned is refused", async () => {
  using dir = tempDir();
  const { ensureFixtures } = await import("../../scripts/fixtures.ts");
  const fixtures = await ensureFixtures({ only: ["vec0@0.1.9"] });
  const bytes = Deno.readFileSync(fixtures["vec0@0.1.9"]);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    return new URL(request.url).pathname === "/releases/vec0.so"
      ? new Response(bytes)
      : new Response("no", { status: 404 });
  });
  try {
    const base = `http://127.0.0.1:${server.addr.port}/releases/vec0.so`;
    const { run } = machineFor(dir.path, "laptop", `http://127.0.0.1:${closedPort()}/`);
    await refused(run, [base], 2, /the URL is not pinned with #sha256=<hex>/);
    await refused(run, [`${base}#sha256=abc`], 2, /"abc" is not a SHA-256 \(64 hex digits\)/);
    await refused(
      run,
      [`${base}#sha256=${"0".repeat(64)}`],
      1,
      /does not match its pin: expected sha256 0{64}, found [0-9a-f]{64}/,
    );
    await refused(
      run,
      [`http://example.com/vec0.so#sha256=${"0".repeat(64)}`],
      2,
      /only https:\/\/ URLs are fetched/,
    );
    const ok = await run(["ext", "add", `${base}#sha256=${sha256Hex(bytes)}`]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(
      ok.stdout,
      /^installed vec0 {2}[0-9a-f]{16} .* from http:\/\/127\.0\.0\.1:\d+\/releases\/vec0\.so#sha256=/,
    );
    const shell = await run([
      "-init",
      "/dev/null",
      ":memory:",
      ".load vec0",
      "select vec_version()",
    ]);
    assert.equal(shell.stdout, "v0.1.9\n", shell.stderr);
  } finally {
    await server.shutdown();
  }
});

Deno.test("ext add against the public registry itself (npm's configured one, no mirror)", async () => {
  using dir = tempDir();
  const machine = new Machine(dir.path, "real", { npm_config_userconfig: join(dir.path, "npmrc") });
  const work = join(dir.path, "work");
  Deno.mkdirSync(work);
  // The registry as npm is configured for it (a project .npmrc line, as npm reads it).
  const registry = new TextDecoder().decode(
    (await new Deno.Command("npm", { args: ["config", "get", "registry"], stdout: "piped" })
      .output()).stdout,
  ).trim();
  Deno.writeTextFileSync(join(work, ".npmrc"), `registry=${registry}\n`);
  const env = { npm_config_registry: "" };
  const add = await machine.run(["ext", "add", "npm:sqlite-path@0.2.1"], { cwd: work, env });
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /from npm:sqlite-path-linux-x64@0\.2\.1\/lib\/path0\.so/);
  const shell = await machine.run([
    "-init",
    "/dev/null",
    ":memory:",
    ".load path0",
    "select path_version()",
  ], {
    cwd: work,
    env,
  });
  assert.equal(shell.stdout, "v0.2.1\n", shell.stderr);
});
