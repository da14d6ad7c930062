/**
 * `sqlink lock` and `sqlink sync` end to end: a bundle of three real npm extensions locked
 * on one machine (every platform's build hashed), synced onto another from the registry
 * mirror, from a remote cache, and from its own cache with no network; a lock edited into
 * nonsense, or naming bytes the origin does not serve, changes nothing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../helpers/cli.ts";
import { closedPort, startMirror } from "./mirror.ts";
import { machineFor, oneError } from "./helpers.ts";

const LINUX = "x86_64-unknown-linux-gnu";

type Run = (
  args: string[],
  stdin?: string,
) => Promise<{ code: number; stdout: string; stderr: string }>;

/** Install vec0 0.1.6, lines0 and path0 and save them as bundle trio; returns the lock text. */
async function lockTrio(run: Run, work: string): Promise<string> {
  for (
    const source of ["npm:sqlite-vec@0.1.6", "npm:sqlite-lines@0.2.2", "npm:sqlite-path@0.2.1"]
  ) {
    const r = await run(["ext", "add", source]);
    assert.equal(r.code, 0, r.stderr);
  }
  const save = await run(
    ["-init", "/dev/null", ":memory:"],
    ".load vec0\n.load lines0\n.load path0\n.bundle save trio --no-build\n",
  );
  assert.equal(save.code, 0, save.stderr);
  const lock = await run(["lock", "trio"]);
  assert.equal(lock.code, 0, lock.stderr);
  assert.match(
    lock.stdout,
    /^trio: vec0@0\.1\.6, lines0@0\.2\.2, path0@0\.2\.1; complete for x86_64-unknown-linux-gnu\nwrote sqlink\.lock\n$/,
  );
  return Deno.readTextFileSync(join(work, "sqlink.lock"));
}

async function state(run: Run) {
  const stats = JSON.parse((await run(["cas", "stats", "--json"])).stdout);
  const bundles = JSON.parse((await run(["bundle", "list", "--json"])).stdout);
  return { artifacts: stats.artifacts, bundles: JSON.stringify(bundles) };
}

Deno.test("lock and sync: every platform hashed, synced onto a fresh machine, then started with no network", async () => {
  using dir = tempDir();
  await using mirror = startMirror();
  const laptop = machineFor(dir.path, "laptop", mirror.url);
  const text = await lockTrio(laptop.run, laptop.work);
  const lock = JSON.parse(text);
  const [vec, lines, path] = lock.bundles.trio.members;
  assert.deepEqual(
    [vec.name, vec.loadOrder, vec.version, vec.source, vec.entryPoint],
    ["vec0", 0, "0.1.6", "npm:sqlite-vec@0.1.6", null],
  );
  // sqlite-vec 0.1.6 has no linux-arm64 build (listed, but 404); lines and path only linux-x64.
  assert.deepEqual(Object.keys(vec.platforms), [
    "aarch64-apple-darwin",
    "x86_64-apple-darwin",
    "x86_64-pc-windows-msvc",
    LINUX,
  ]);
  assert.equal(
    vec.platforms["x86_64-apple-darwin"].origin,
    "npm:sqlite-vec-darwin-x64@0.1.6/vec0.dylib",
  );
  assert.deepEqual(Object.keys(lines.platforms), [LINUX]);
  assert.deepEqual(Object.keys(path.platforms), [LINUX]);
  assert.equal(lines.platforms[LINUX].origin, "npm:sqlite-lines-linux-x64@0.2.2/lib/lines0.so");
  assert.deepEqual(Object.keys(lock.bundles.trio.sets), [LINUX]);
  // Stable text: locking again writes nothing new.
  const again = await laptop.run(["lock"]);
  assert.match(again.stdout, /sqlink\.lock is up to date/);
  assert.equal(Deno.readTextFileSync(join(laptop.work, "sqlink.lock")), text);

  // A colleague with the lock but no sync yet: a name only the lock knows is fetched on load.
  const colleague = machineFor(dir.path, "colleague", mirror.url);
  Deno.writeTextFileSync(join(colleague.work, "sqlink.lock"), text);
  const load = await colleague.run([
    "--load",
    "lines0",
    "-init",
    "/dev/null",
    ":memory:",
    ".load path0",
    "select lines_version(), path_version()",
    ".ext ls",
  ]);
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stdout, /^v0\.2\.2\|v0\.2\.1\nNAME +VERSION/);
  assert.match(
    load.stdout,
    /^lines0 +0\.2\.2 .* npm:sqlite-lines-linux-x64@0\.2\.2\/lib\/lines0\.so$/m,
  );
  assert.ok(!load.stdout.includes("vec0"), "only what was loaded is fetched");

  // A CI runner with the committed lock and an empty cache.
  const ci = machineFor(dir.path, "ci", mirror.url);
  Deno.writeTextFileSync(join(ci.work, "sqlink.lock"), text);
  const sync = await ci.run(["sync", "--frozen"]);
  assert.equal(sync.code, 0, sync.stderr);
  assert.match(sync.stdout, /^trio: created \(set [0-9a-f]{12}; 3 from origin\)\n$/);
  assert.equal(Deno.readTextFileSync(join(ci.work, "sqlink.lock")), text);
  // The same set hash on both machines: one identity per platform.
  const laptopSet = JSON.parse((await laptop.run(["bundle", "show", "trio", "--json"])).stdout);
  const ciSet = JSON.parse((await ci.run(["bundle", "show", "trio", "--json"])).stdout);
  assert.equal(
    ciSet.setHash ?? ciSet.bundle?.setHash,
    laptopSet.setHash ?? laptopSet.bundle?.setHash,
  );
  assert.equal(lock.bundles.trio.sets[LINUX], laptopSet.setHash ?? laptopSet.bundle?.setHash);

  // Afterwards the registry may be gone: a second sync and --bundle need no network.
  const offline = { npm_config_registry: `http://127.0.0.1:${closedPort()}/` };
  const second = await ci.machine.run(["sync"], { cwd: ci.work, env: offline });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /^trio: unchanged \(set [0-9a-f]{12}; 3 from cache\)\n$/);
  const start = await ci.machine.run(
    [
      "--bundle",
      "trio",
      "-init",
      "/dev/null",
      ":memory:",
      "select vec_version(), lines_version(), path_version()",
    ],
    { cwd: ci.work, env: offline },
  );
  assert.equal(start.stdout, "v0.1.6|v0.2.2|v0.2.1\n", start.stderr);
  // And the members load by name too.
  const byName = await ci.machine.run([
    "-init",
    "/dev/null",
    ":memory:",
    ".load lines0",
    "select lines_version()",
  ], {
    cwd: ci.work,
    env: offline,
  });
  assert.equal(byName.stdout, "v0.2.2\n", byName.stderr);
});

Deno.test("sync takes members from a remote cache before their origin", async () => {
  using dir = tempDir();
  await using mirror = startMirror();
  const laptop = machineFor(dir.path, "laptop", mirror.url);
  const text = await lockTrio(laptop.run, laptop.work);
  // The team's cache: a real HTTP remote (bazel-remote's protocol: GET /cas/<sha256>).
  const { CasStore } = await import("../../lib/cas/store.ts");
  const store = CasStore.open({ path: laptop.machine.casFile });
  const blobs = new Map<string, Uint8Array>();
  for (const member of JSON.parse(text).bundles.trio.members) {
    const v = member.platforms[LINUX];
    blobs.set(v.sha256, store.read(store.resolve(v.blake3)));
  }
  store.close();
  const seen: string[] = [];
  const remote = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const key = new URL(request.url).pathname.replace(/^\/team\/cas\//, "");
    seen.push(`${request.method} ${key.slice(0, 8)}`);
    const bytes = blobs.get(key);
    return bytes
      ? new Response(bytes as Uint8Array<ArrayBuffer>)
      : new Response("", { status: 404 });
  });
  try {
    const ci = machineFor(dir.path, "ci", `http://127.0.0.1:${closedPort()}/`);
    Deno.writeTextFileSync(join(ci.work, "sqlink.lock"), text);
    // Without the remote, and with the registry down: one error, nothing changed.
    const down = await ci.run(["sync"]);
    assert.equal(down.code, 1);
    assert.match(
      oneError(down.stderr),
      /Cannot download the metadata of sqlite-[\w-]+ from http:\/\/127\.0\.0\.1:\d+\/.*cannot connect/,
    );
    assert.deepEqual(await state(ci.run), { artifacts: 0, bundles: '{"ok":true,"bundles":[]}' });
    const sync = await ci.run(["sync", "--remote", `http://127.0.0.1:${remote.addr.port}/team`]);
    assert.equal(sync.code, 0, sync.stderr);
    assert.match(sync.stdout, /^trio: created \(set [0-9a-f]{12}; 3 from remote\)\n$/);
    assert.equal(seen.filter((s) => s.startsWith("GET")).length, 3);
  } finally {
    await remote.shutdown();
  }
});

Deno.test("sync refuses a lock edited into nonsense, or naming bytes its origin does not serve, and changes nothing", async () => {
  using dir = tempDir();
  await using mirror = startMirror();
  const laptop = machineFor(dir.path, "laptop", mirror.url);
  const text = await lockTrio(laptop.run, laptop.work);
  const ci = machineFor(dir.path, "ci", mirror.url);
  const lockPath = join(ci.work, "sqlink.lock");
  // deno-lint-ignore no-explicit-any
  const edit = (fn: (lock: any) => void) => {
    const lock = JSON.parse(text);
    fn(lock);
    return JSON.stringify(lock, null, 2);
  };
  const nonsense: Array<[string, RegExp]> = [
    ["not json {", /is not a valid lock file: the text is not JSON/],
    ["[]", /the top level is an array, expected an object/],
    [edit((l) => (l.version = 2)), /version is number 2, expected 1/],
    [
      edit((l) => (l.bundles.trio.members = [])),
      /bundles\.trio\.members is an array, expected a list of members|members is an array/,
    ],
    [
      edit((l) => (l.bundles.trio.members[0].name = "../x")),
      /bundles\.trio\.members\[0\]\.name is not an extension name/,
    ],
    [edit((l) => (l.bundles.trio.members[1].name = "vec0")), /"vec0" appears twice/],
    [
      edit((l) => (l.bundles.trio.members[0].platforms[LINUX].blake3 = "xyz")),
      /platforms\.x86_64-unknown-linux-gnu\.blake3 is "xyz", expected 64 lowercase hex digits/,
    ],
    [
      edit((l) => (l.bundles.trio.members[0].platforms[LINUX].size = -1)),
      /size is number -1, expected a whole number of bytes/,
    ],
    [
      edit((l) => (l.bundles.trio.members[0].platforms["sparc-sun-solaris"] = {})),
      /platforms\.sparc-sun-solaris is not a field of the lock/,
    ],
    [edit((l) => (l.bundles.trio.members[0].source = "ftp://x")), /source is not a source/],
    [
      edit((l) => (l.bundles.trio.members[0].surprise = 1)),
      /members\[0\]\.surprise is not a field of the lock/,
    ],
    [
      edit((l) => (l.bundles["bad name"] = l.bundles.trio)),
      /bundles\.bad name is not a valid bundle name/,
    ],
    [edit((l) => (l.bundles.trio.members[0].loadOrder = 5)), /loadOrder is number 5, expected 0/],
    [
      edit((l) => (l.bundles.trio.sets[LINUX] = "0".repeat(64))),
      /sets\.x86_64-unknown-linux-gnu does not match the set hash/,
    ],
  ];
  const before = await state(ci.run);
  for (const [bad, message] of nonsense) {
    Deno.writeTextFileSync(lockPath, bad);
    const r = await ci.run(["sync"]);
    assert.equal(r.code, 1, bad);
    assert.match(oneError(r.stderr), message, bad);
    assert.match(r.stderr, /hint: Restore it from version control/);
    assert.equal(Deno.readTextFileSync(lockPath), bad);
    assert.deepEqual(await state(ci.run), before);
  }

  // Well-formed, but the origin serves other bytes than the lock names: refused, naming both.
  const other = "ab".repeat(32);
  Deno.writeTextFileSync(
    lockPath,
    edit((l) => {
      l.bundles.trio.members[1].platforms[LINUX].blake3 = other;
      delete l.bundles.trio.sets;
    }),
  );
  const mismatch = await ci.run(["sync"]);
  assert.equal(mismatch.code, 1);
  assert.match(
    oneError(mismatch.stderr),
    new RegExp(
      `lines0 from npm:sqlite-lines-linux-x64@0\\.2\\.2/lib/lines0\\.so does not match the lock: expected blake3 ${other}, found [0-9a-f]{64}`,
    ),
  );
  assert.deepEqual(await state(ci.run), before);

  // A member with no build for this platform.
  Deno.writeTextFileSync(
    lockPath,
    edit((l) => {
      delete l.bundles.trio.members[2].platforms[LINUX];
      l.bundles.trio.members[2].platforms["aarch64-apple-darwin"] =
        l.bundles.trio.members[0].platforms["aarch64-apple-darwin"];
      delete l.bundles.trio.sets;
    }),
  );
  const novariant = await ci.run(["sync"]);
  assert.match(
    oneError(novariant.stderr),
    /Member path0 of bundle "trio" has no build for x86_64-unknown-linux-gnu \(linux-x64\); the lock has it for aarch64-apple-darwin/,
  );
  assert.deepEqual(await state(ci.run), before);

  // No lock at all.
  Deno.removeSync(lockPath);
  const none = await ci.run(["sync"]);
  assert.match(oneError(none.stderr), /There is no lock file at sqlink\.lock/);
});

Deno.test("sync completes a lock written by hand; --frozen refuses to", async () => {
  using dir = tempDir();
  await using mirror = startMirror();
  const ci = machineFor(dir.path, "ci", mirror.url);
  const lockPath = join(ci.work, "sqlink.lock");
  const hand = JSON.stringify({
    version: 1,
    bundles: {
      pair: {
        members: [{ name: "vec0", source: "npm:sqlite-vec@0.1.6" }, {
          name: "lines0",
          source: "npm:sqlite-lines@0.2.2",
        }],
      },
    },
  });
  Deno.writeTextFileSync(lockPath, hand);
  const frozen = await ci.run(["sync", "--frozen"]);
  assert.equal(frozen.code, 1);
  assert.match(
    oneError(frozen.stderr),
    /sqlink\.lock is not complete: member vec0 of bundle "pair" has no resolved version and hashes/,
  );
  assert.equal(Deno.readTextFileSync(lockPath), hand);
  const sync = await ci.run(["sync"]);
  assert.equal(sync.code, 0, sync.stderr);
  assert.match(
    sync.stdout,
    /^pair: created \(set [0-9a-f]{12}; 2 from origin\)\nwrote sqlink\.lock\n$/,
  );
  const written = JSON.parse(Deno.readTextFileSync(lockPath));
  assert.equal(written.bundles.pair.members[0].version, "0.1.6");
  assert.equal(
    written.bundles.pair.members[1].platforms[LINUX].origin,
    "npm:sqlite-lines-linux-x64@0.2.2/lib/lines0.so",
  );
  const start = await ci.run([
    "--bundle",
    "pair",
    "-init",
    "/dev/null",
    ":memory:",
    "select vec_version(), lines_version()",
  ]);
  assert.equal(start.stdout, "v0.1.6|v0.2.2\n", start.stderr);
  // Now complete and canonical: --frozen passes and writes nothing.
  const text = Deno.readTextFileSync(lockPath);
  const again = await ci.run(["sync", "--frozen"]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(Deno.readTextFileSync(lockPath), text);
});
