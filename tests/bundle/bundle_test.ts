/**
 * End-to-end tests of bundles (SPEC §6, §3.4 pins, §9): `.bundle …` in the shell,
 * `sqlink bundle …` for scripts, and launching with `--bundle`, `--bundle-load` and
 * `--bundle-baked`; the real sqlink as a subprocess, real extensions, one cache per test.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  assertCliError,
  assertNoStack,
  assertShellError,
  exists,
  extensions,
  type Fixture,
  sleep,
  TestCache,
} from "../helpers/extensions.ts";
import { DataVersionWatcher } from "../helpers/data_version.ts";

/** The set_hash of `members`, computed here from SPEC §6.1 (not with lib/). */
function expectedSetHash(members: readonly Fixture[]): string {
  const lines = members.map((m) => `${m.name}\t${m.blake3}\n`);
  const bytes = lines.map((l) => new TextEncoder().encode(l));
  bytes.sort((a, b) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] !== b[i]) return a[i] - b[i];
    }
    return a.length - b.length;
  });
  const hash = createHash("sha256");
  for (const b of bytes) hash.update(b);
  return hash.digest("hex");
}

interface JsonMember {
  extensionName: string;
  contentHash: string;
  loadOrder: number;
  entryPoint: string | null;
  present?: boolean;
}

interface JsonBundle {
  id: number;
  name: string;
  setHash: string;
  createdAt: number;
  lastUsedAt: number;
  members: JsonMember[];
  binaries: unknown[];
  aliases?: string[];
}

/** Save bundle `name` with `sqlink bundle save` (it must succeed). */
async function save(cache: TestCache, name: string, ...members: string[]): Promise<JsonBundle> {
  const out = await cache.json("bundle", "save", name, ...members);
  return out.bundle as JsonBundle;
}

async function show(cache: TestCache, ref: string): Promise<JsonBundle> {
  return (await cache.json("bundle", "show", ref)).bundle as JsonBundle;
}

const HOUR = 60 * 60 * 1000;

/** Move every recorded use `ms` into the past (uses are recorded to the hour). */
function backdate(cache: TestCache, ms: number): void {
  for (const table of ["__cas_bundle", "__cas_artifact", "__cas_uri"]) {
    cache.sql(`UPDATE ${table} SET last_used_at = last_used_at - ?`, ms);
  }
}

async function list(cache: TestCache): Promise<JsonBundle[]> {
  return (await cache.json("bundle", "list")).bundles as JsonBundle[];
}

Deno.test(".bundle save: first save wins, the same set is a no-op, another set is an error with a hint", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const hash = expectedSetHash([ext.vec9, ext.hello]);
  const first = await cache.script(
    `.load ${ext.vec9.path}\n.load ${ext.hello.path}\n.bundle save team\n.bundle save team\n`,
  );
  assert.equal(first.stderr, "");
  assert.equal(first.code, 0);
  assert.equal(
    first.stdout,
    `saved bundle "team": set ${hash.slice(0, 12)} (vec0, sqlinkhello)\n` +
      `bundle "team" already holds this set (${hash.slice(0, 12)}); nothing changed\n`,
  );
  const saved = await show(cache, "team");
  assert.equal(saved.setHash, hash);
  assert.deepEqual(saved.members.map((m) => [m.extensionName, m.contentHash, m.loadOrder]), [
    ["vec0", ext.vec9.blake3, 0],
    ["sqlinkhello", ext.hello.blake3, 1],
  ]);

  // The same set in another order is the same set: a no-op.
  const reordered = await cache.script(
    `.load ${ext.hello.path}\n.load ${ext.vec9.path}\n.bundle save team\n`,
  );
  assert.equal(reordered.code, 0, reordered.stderr);
  assert.match(reordered.stdout, /already holds this set.*nothing changed/);

  // Another set under the taken name: an error saying what to do; the bundle is unchanged.
  const other = await cache.script(
    `.load ${ext.vec6.path}\n.load ${ext.hello.path}\n.bundle save team\nselect 'on';\n`,
  );
  const stderr = assertShellError(
    other,
    /^Error: Bundle "team" already exists with a different set/m,
  );
  assert.match(stderr, /^hint: .*another name.*\.bundle delete team/m);
  assert.equal(other.stdout, "on\n", "the shell goes on");
  assert.deepEqual(await show(cache, "team"), { ...saved, lastUsedAt: saved.lastUsedAt });
  // A subset is a different set too.
  const subset = await cache.script(`.load ${ext.vec9.path}\n.bundle save team\n`);
  assertShellError(subset, /already exists with a different set/);
  assert.deepEqual(cache.state().bundles, ["team"]);
});

Deno.test(".bundle save: entry points and load order live in the manifest, not in set_hash", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const plain = await cache.script(
    `.load ${ext.vec9.path}\n.load ${ext.hello.path}\n.bundle save plain\n`,
  );
  assert.equal(plain.code, 0, plain.stderr);
  const alt = await cache.script(
    `.load ${ext.hello.path} sqlinkhello_alt_init\n.load ${ext.vec9.path}\n.bundle save alt --no-build\n`,
  );
  assert.equal(alt.code, 0, alt.stderr);
  const a = await show(cache, "alt");
  const p = await show(cache, "plain");
  assert.equal(a.setHash, p.setHash);
  assert.equal(a.setHash, expectedSetHash([ext.vec9, ext.hello]));
  assert.deepEqual(a.members.map((m) => [m.extensionName, m.loadOrder, m.entryPoint]), [
    ["sqlinkhello", 0, "sqlinkhello_alt_init"],
    ["vec0", 1, null],
  ]);
  assert.deepEqual(a.aliases, ["plain"]);

  // Launching each replays its own entry points.
  const launchAlt = await cache.shell([
    "--bundle",
    "alt",
    ":memory:",
    "select goodbye('a'), vec_version()",
  ]);
  assert.equal(launchAlt.stdout, "goodbye, a|v0.1.9\n", launchAlt.stderr);
  const launchPlain = await cache.shell(["--bundle", "plain", ":memory:", "select hello('p')"]);
  assert.equal(launchPlain.stdout, "hello, p\n", launchPlain.stderr);
  const noHello = await cache.shell(["--bundle", "alt", ":memory:", "select hello('p')"]);
  assert.equal(noHello.code, 1);
  assert.match(noHello.stderr, /no such function: hello/);
});

Deno.test(".bundle save: nothing loaded, a bad name, a bad option: one error each, nothing saved", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const none = await cache.script(".bundle save empty\nselect 'next';\n");
  assertShellError(none, /^Error: Cannot save a bundle: no extensions are loaded/m);
  assert.equal(none.stdout, "next\n");

  const badName = await cache.script(
    `.load ${ext.hello.path}\n.bundle save "bad name"\n.bundle save -x\n`,
  );
  assert.equal(badName.code, 1);
  assert.match(badName.stderr, /not a valid bundle name|Usage: \.bundle save/);
  assertNoStack(badName);

  const badOption = await cache.script(`.load ${ext.hello.path}\n.bundle save ok --bogus\n`);
  assert.equal(badOption.code, 1);
  assert.match(badOption.stderr, /--bogus/);
  assert.deepEqual(cache.state().bundles, []);
});

Deno.test("sqlink bundle save NAME FILE|extension:NAME …: --json shape, members in the given order", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  // extension:lines0 must be bound first: a .load does that.
  const loaded = await cache.shell([":memory:", `.load ${ext.lines.path}`]);
  assert.equal(loaded.code, 0, loaded.stderr);

  const out = await cache.json(
    "bundle",
    "save",
    "mix",
    ext.hello.path,
    "extension:lines0",
    ext.vec9.path,
  );
  assert.equal(out.ok, true);
  assert.equal(out.created, true);
  const bundle = out.bundle as JsonBundle;
  assert.deepEqual(Object.keys(bundle).sort(), [
    "binaries",
    "createdAt",
    "id",
    "lastUsedAt",
    "members",
    "name",
    "setHash",
  ]);
  assert.equal(bundle.name, "mix");
  assert.equal(bundle.setHash, expectedSetHash([ext.hello, ext.lines, ext.vec9]));
  assert.deepEqual(bundle.binaries, []);
  assert.ok(Math.abs(bundle.createdAt - Date.now()) < 60_000);
  assert.deepEqual(bundle.members, [
    { extensionName: "sqlinkhello", contentHash: ext.hello.blake3, loadOrder: 0, entryPoint: null },
    { extensionName: "lines0", contentHash: ext.lines.blake3, loadOrder: 1, entryPoint: null },
    { extensionName: "vec0", contentHash: ext.vec9.blake3, loadOrder: 2, entryPoint: null },
  ]);
  // Files given to save are cached and bound like .load.
  const state = cache.state();
  assert.equal(state.uris["extension:vec0"], ext.vec9.blake3);
  assert.equal(state.uris[ext.hello.origin], ext.hello.blake3);

  const again = await cache.json(
    "bundle",
    "save",
    "mix",
    ext.vec9.path,
    ext.lines.path,
    ext.hello.path,
  );
  assert.equal(again.created, false);
  const text = await cache.cli(
    "bundle",
    "save",
    "mix",
    ext.vec9.path,
    ext.lines.path,
    ext.hello.path,
  );
  assert.equal(
    text.stdout,
    `bundle "mix" already holds this set (${bundle.setHash.slice(0, 12)}); nothing changed\n`,
  );
  const changed = await cache.cli("bundle", "save", "mix", ext.vec9.path);
  assertCliError(changed, /^error: Bundle "mix" already exists with a different set/);
});

Deno.test("sqlink bundle save: bad members are one error each, and nothing is saved or cached", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const text = join(cache.dir, "text.so");
  Deno.writeTextFileSync(text, "text\n");
  const unbound = await cache.cli("bundle", "save", "x", ext.hello.path, "extension:nope");
  assertCliError(unbound, /extension:nope/);
  const notLib = await cache.cli("bundle", "save", "x", text);
  assertCliError(notLib, /^error: Cannot load ".*text\.so": it is a text file/);
  const missing = await cache.cli("bundle", "save", "x", join(cache.dir, "missing.so"));
  assertCliError(missing, /no such file/);
  const foreign = await cache.cli("bundle", "save", "x", ext.foreign.path);
  assertCliError(foreign, /AArch64|x86-64/);
  const twoBuilds = await cache.cli("bundle", "save", "x", ext.vec6.path, ext.vec9.path);
  assertCliError(twoBuilds, /vec0/);
  const badName = await cache.cli("bundle", "save", "bad name", ext.hello.path);
  assertCliError(badName, /not a valid bundle name/, 2);
  const noMembers = await cache.cli("bundle", "save", "x");
  assert.equal(noMembers.code, 2, noMembers.stderr);
  assertNoStack(noMembers);
  assert.deepEqual(cache.state().bundles, []);
  // The refused second build of vec0 left no blob; the sound files before it may be cached.
  assert.ok(!cache.state().artifacts.includes(ext.vec9.blake3));
  assert.ok(!cache.state().artifacts.includes(ext.foreign.blake3));
});

Deno.test("sqlink bundle save extension:NAME bound to another machine's build names both machines", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const put = await cache.cli("cas", "put", ext.foreign.path, "--uri", "extension:vec0");
  assert.equal(put.code, 0, put.stderr);
  const saved = await cache.cli("bundle", "save", "x", "extension:vec0");
  assertCliError(
    saved,
    /^error: Cannot load "extension:vec0": it is an ELF 64-bit shared library for (AArch64|x86-64), and this machine needs/,
  );
  assert.deepEqual(cache.state().bundles, []);
});

Deno.test("sqlink bundle list and show: text and --json", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const empty = await cache.cli("bundle", "list");
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stdout, /^No bundles\./);
  assert.deepEqual(await list(cache), []);

  const a = await save(cache, "alpha", ext.vec9.path, ext.hello.path);
  await sleep(5);
  const b = await save(cache, "beta", ext.lines.path);

  const text = await cache.cli("bundle", "list");
  assert.equal(text.code, 0, text.stderr);
  const rows = text.stdout.trimEnd().split("\n");
  assert.match(rows[0], /^NAME +HASH +MEMBERS +BINARIES +LAST USED$/);
  assert.match(
    rows[1],
    new RegExp(`^beta +${b.setHash.slice(0, 12)} +lines0 +0 +\\d{4}-\\d\\d-\\d\\d`),
  );
  assert.match(
    rows[2],
    new RegExp(`^alpha +${a.setHash.slice(0, 12)} +vec0,sqlinkhello +0 +\\d{4}-\\d\\d-\\d\\d`),
  );
  assert.equal(rows.length, 3);
  const json = await list(cache);
  assert.deepEqual(json.map((x) => x.name), ["beta", "alpha"], "most recently used first");
  assert.deepEqual(json[1], a);

  const shown = await cache.cli("bundle", "show", "alpha");
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /^name: +alpha$/m);
  assert.match(shown.stdout, new RegExp(`^set hash: +${a.setHash}$`, "m"));
  assert.match(shown.stdout, /^members: +2$/m);
  assert.match(shown.stdout, new RegExp(`^ +1 +vec0 +${ext.vec9.blake3} +default +yes$`, "m"));
  assert.match(
    shown.stdout,
    new RegExp(`^ +2 +sqlinkhello +${ext.hello.blake3} +default +yes$`, "m"),
  );
  assert.match(shown.stdout, /^binaries: +none$/m);
  assert.doesNotMatch(shown.stdout, /also named/);

  const byHash = await show(cache, a.setHash.slice(0, 6));
  assert.equal(byHash.name, "alpha");
  assert.deepEqual(byHash.members.map((m) => m.present), [true, true]);
  assert.deepEqual(byHash.aliases, []);
  assert.equal((await show(cache, a.setHash.toUpperCase())).name, "alpha");

  const unknown = await cache.cli("bundle", "show", "nope");
  assertCliError(unknown, /^error: .*"nope".*no bundle/);
  const unknownJson = await cache.cli("bundle", "show", "nope", "--json");
  assert.equal(unknownJson.code, 1);
  const body = JSON.parse(unknownJson.stdout);
  assert.equal(body.ok, false);
  assert.equal(typeof body.error.message, "string");
  assert.equal(typeof body.error.hint, "string");
});

Deno.test(".bundle list, show, delete and gc in the shell print what sqlink bundle prints", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const a = await save(cache, "alpha", ext.hello.path);
  for (
    const words of [["list"], ["list", "--json"], ["show", "alpha"], [
      "show",
      a.setHash.slice(0, 8),
      "--json",
    ]]
  ) {
    const cli = await cache.cli("bundle", ...words);
    const dot = await cache.script(`.bundle ${words.join(" ")}\nselect 'next';\n`);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(dot.code, 0, dot.stderr);
    assert.equal(dot.stdout, cli.stdout + "next\n", words.join(" "));
  }
  const unknown = await cache.script(".bundle delete nope\nselect 'next';\n");
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stdout, "next\n");
  // The shell's own errors say `Error:`, script commands run inside it say `error:`.
  assert.match(
    unknown.stderr,
    /^[Ee]rror: Cannot delete bundle "nope": no bundle has that name\nhint: \S/,
  );
  const deleted = await cache.script(".bundle delete alpha\n");
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.match(
    deleted.stdout,
    new RegExp(`^deleted bundle "alpha" \\(set ${a.setHash.slice(0, 12)}\\)`),
  );
  assert.deepEqual(cache.state().bundles, []);
  const gc = await cache.script(".bundle gc --keep 0\n");
  assert.equal(gc.code, 0, gc.stderr);
  assert.equal(gc.stdout, "No bundle removed.\n");
});

Deno.test("sqlink bundle delete: removes the alias only; unknown names are an error", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const a = await save(cache, "alpha", ext.hello.path, ext.vec9.path);
  await save(cache, "same", ext.vec9.path, ext.hello.path);
  const before = cache.state();

  const text = await cache.cli("bundle", "delete", "alpha");
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    new RegExp(`^deleted bundle "alpha" \\(set ${a.setHash.slice(0, 12)}\\)\n`),
  );
  assert.deepEqual(cache.state(), { ...before, bundles: ["same"] }, "blobs and URIs stay");
  // The set lives on under its other name.
  assert.equal((await show(cache, a.setHash.slice(0, 8))).name, "same");

  const json = await cache.json("bundle", "delete", "same");
  assert.equal(json.ok, true);
  const removed = json.removed as JsonBundle[];
  assert.deepEqual(removed.map((b) => b.name), ["same"]);
  assert.ok(Array.isArray(json.removedBuilds));

  const unknown = await cache.cli("bundle", "delete", "alpha");
  assertCliError(unknown, /^error: Cannot delete bundle "alpha": no bundle has that name/);
  // A hash prefix is not a name for delete.
  await save(cache, "gamma", ext.hello.path);
  const byHash = await cache.cli("bundle", "delete", expectedSetHash([ext.hello]).slice(0, 8));
  assertCliError(byHash, /no bundle has that name/);
  assert.deepEqual(cache.state().bundles, ["gamma"]);
});

Deno.test({
  name: "sqlink bundle delete: no claim of removed builds when none were built",
  fn: async () => {
    const ext = await extensions();
    using cache = new TestCache();
    await save(cache, "alpha", ext.hello.path);
    const text = await cache.cli("bundle", "delete", "alpha");
    assert.equal(text.code, 0, text.stderr);
    assert.doesNotMatch(text.stdout, /removed builds/);
    assert.ok(!exists(join(cache.root, "builds")));
    await save(cache, "beta", ext.hello.path);
    const json = await cache.json("bundle", "delete", "beta");
    assert.deepEqual(json.removedBuilds, []);
  },
});

Deno.test("sqlink bundle gc --keep N: keeps the N most recently used", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  await save(cache, "old", ext.hello.path);
  await sleep(5);
  await save(cache, "mid", ext.lines.path);
  await sleep(5);
  await save(cache, "new", ext.path.path);
  // Uses are recorded to the hour: with every use recorded hours ago (in the same order),
  // a launch is a use: "old" becomes the most recent.
  backdate(cache, 2 * HOUR);
  const used = await cache.shell(["--bundle", "old", ":memory:", "select hello('x')"]);
  assert.equal(used.stdout, "hello, x\n", used.stderr);

  const json = await cache.json("bundle", "gc", "--keep", "2");
  assert.equal(json.ok, true);
  assert.deepEqual((json.removed as JsonBundle[]).map((b) => b.name), ["mid"]);
  assert.deepEqual(cache.state().bundles, ["new", "old"]);

  const text = await cache.cli("bundle", "gc", "--keep", "1");
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^deleted bundle "new" \(set [0-9a-f]{12}\)$/m);
  assert.deepEqual(cache.state().bundles, ["old"]);
  const nothing = await cache.cli("bundle", "gc", "--keep", "1");
  assert.equal(nothing.stdout, "No bundle removed.\n");
  // Blobs stay (evictable now), URIs too.
  assert.equal(cache.state().artifacts.length, 3);
});

Deno.test("sqlink bundle gc --older-than AGE: drops bundles unused for longer", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  await save(cache, "stale", ext.hello.path);
  await save(cache, "used", ext.lines.path);
  backdate(cache, 2 * HOUR);
  const launch = await cache.shell(["--bundle-load", "used", ":memory:", "select lines_version()"]);
  assert.equal(launch.stdout, "v0.2.2\n", launch.stderr);
  const json = await cache.json("bundle", "gc", "--older-than", "1s");
  assert.deepEqual((json.removed as JsonBundle[]).map((b) => b.name), ["stale"]);
  assert.deepEqual(cache.state().bundles, ["used"]);
  const month = await cache.cli("bundle", "gc", "--older-than", "30d");
  assert.equal(month.stdout, "No bundle removed.\n", month.stderr);
  assert.deepEqual(cache.state().bundles, ["used"]);
});

Deno.test("launch: a use recorded within the hour makes a launch write nothing; an older one is recorded", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const saved = await save(cache, "team", ext.hello.path);
  using watcher = new DataVersionWatcher(cache.casFile);
  const launch = async () => {
    const run = await cache.shell(["--bundle", "team", ":memory:", "select hello('x')"]);
    assert.equal(run.stdout, "hello, x\n", run.stderr);
  };
  const used = () => ({
    bundle: Number(cache.sql(`SELECT last_used_at FROM __cas_bundle`)[0].last_used_at),
    member: Number(cache.sql(`SELECT last_used_at FROM __cas_artifact`)[0].last_used_at),
  });

  const first = used();
  assert.equal(first.bundle, saved.lastUsedAt);
  watcher.reset();
  await launch();
  await launch();
  assert.equal(watcher.changed(), false, "a launch right after the save wrote to the cache");
  assert.deepEqual(used(), first);

  backdate(cache, HOUR + 60_000);
  watcher.reset();
  const before = Date.now();
  await launch();
  assert.equal(watcher.changed(), true, "a use after an hour is recorded");
  const after = used();
  assert.ok(after.bundle >= before && after.member === after.bundle, JSON.stringify(after));
  watcher.reset();
  await launch();
  assert.equal(watcher.changed(), false);

  // While another process writes, a launch neither waits for it (the busy timeout is 15 s)
  // nor fails: a use that is due is skipped, and recorded by a later launch.
  backdate(cache, HOUR + 60_000);
  const stale = used();
  const writer = new DatabaseSync(cache.casFile);
  try {
    writer.exec("BEGIN IMMEDIATE");
    const started = performance.now();
    await launch();
    assert.ok(performance.now() - started < 5000, "the launch waited for the writer");
    writer.exec("ROLLBACK");
  } finally {
    writer.close();
  }
  assert.deepEqual(used(), stale);
  await launch();
  assert.ok(used().bundle > stale.bundle);
});

Deno.test("sqlink bundle gc: usage errors exit 2 with a hint and drop nothing", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  await save(cache, "keep", ext.hello.path);
  for (
    const args of [
      [],
      ["--keep", "x"],
      ["--keep", "-1"],
      ["--older-than", "3y"],
      ["--older-than", "soon"],
      // Read as 16, 1000 and 1 before; past 2^53-1 ms an age no longer counts by ones.
      ["--keep", "0x10"],
      ["--keep", "1e3"],
      ["--keep", " 1"],
      ["--keep", "1.5"],
      ["--keep", "1", "--keep", "2"],
      ["--older-than", "104249992d"],
      ["--older-than", "99999999999999999999s"],
    ]
  ) {
    const result = await cache.cli("bundle", "gc", ...args);
    assertCliError(
      result,
      args.length ? /^error: (Invalid|Too many values for) --/ : /^error: /,
      2,
    );
  }
  // The longest age that is still exact is taken (and drops nothing here).
  const longest = await cache.cli("bundle", "gc", "--older-than", "104249991d");
  assert.equal(longest.code, 0, longest.stderr);
  assert.deepEqual(cache.state().bundles, ["keep"]);
});

Deno.test("launch: --bundle NAME, --bundle HASHPREFIX, --bundle NAME --bundle-load, --bundle-load NAME", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const team = await save(cache, "team", ext.vec9.path, ext.hello.path, ext.regex.path);
  Deno.removeSync(join(cache.root, "ext"), { recursive: true }); // materialized again on launch
  const db = join(cache.dir, "db.sqlite");
  const query = "select vec_version(), hello('b'), regex_version()";
  const expected = "v0.1.9|hello, b|v0.2.3\n";
  const launches = [
    ["--bundle", "team", db, query],
    ["--bundle", team.setHash.slice(0, 6), db, query],
    ["-bundle", "team", "--bundle-load", db, query],
    ["--bundle-load", "team", db, query],
    ["--bundle-load", team.setHash.slice(0, 6), ":memory:", query],
  ];
  for (const args of launches) {
    const result = await cache.shell(args);
    assert.equal(result.stderr, "", args.join(" "));
    assert.equal(result.stdout, expected, args.join(" "));
    assert.equal(result.code, 0);
  }
  for (const e of [ext.vec9, ext.hello, ext.regex]) {
    assert.deepEqual(
      Deno.readFileSync(cache.materialized(e.blake3, e.file)),
      Deno.readFileSync(e.path),
    );
    assert.equal(Deno.statSync(cache.materialized(e.blake3, e.file)).mode! & 0o777, 0o700);
  }

  // .extensions names the bundle as the origin; .open gets the same set.
  const other = join(cache.dir, "other.sqlite");
  const listed = await cache.shell([
    "--bundle",
    "team",
    ":memory:",
    ".extensions",
    `.open ${other}`,
    query,
  ]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(
    listed.stdout,
    new RegExp(`^vec0  blake3:${ext.vec9.blake3.slice(0, 12)}  bundle:team$`, "m"),
  );
  assert.match(listed.stdout, /^ {2}modules: +vec0 vec_each \(2\)$/m);
  assert.ok(listed.stdout.endsWith(expected));

  // A bundle and --load together.
  const both = await cache.shell([
    "--bundle",
    "team",
    "--load",
    ext.lines.path,
    ":memory:",
    `${query}, lines_version()`,
  ]);
  assert.equal(both.stdout, "v0.1.9|hello, b|v0.2.3|v0.2.2\n", both.stderr);
  // .bundle save of a set launched from a bundle: the same set under a new name.
  const resaved = await cache.shell(["--bundle", "team", ":memory:", ".bundle save team2"]);
  assert.equal(resaved.code, 0, resaved.stderr);
  assert.equal((await show(cache, "team2")).setHash, team.setHash);
});

Deno.test("launch: --bundle-baked without a build, an unknown bundle, an ambiguous prefix: one error, no database", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  await save(cache, "team", ext.hello.path);
  const db = join(cache.dir, "never.db");

  const baked = await cache.shell(["--bundle-baked", "team", db, "create table t(a)"]);
  const stderr = assertShellError(baked, /^Error: Bundle "team" is not built for \S+/m);
  assert.match(stderr, /--bundle-load team/);
  assert.ok(!exists(db));
  const bakedFlag = await cache.shell([
    "--bundle",
    "team",
    "--bundle-baked",
    db,
    "create table t(a)",
  ]);
  assertShellError(bakedFlag, /not built/);
  assert.ok(!exists(db));

  for (const ref of ["nope", "abcdef", "0000"]) {
    const unknown = await cache.shell(["--bundle", ref, db, "create table t(a)"]);
    assertShellError(
      unknown,
      new RegExp(
        `^Error: Cannot open bundle "${ref}": no bundle has that name or hash prefix`,
        "m",
      ),
    );
    assert.ok(!exists(db));
  }

  // Two sets sharing a prefix (rows made by hand): the prefix is ambiguous.
  const now = Date.now();
  for (const [name, hash] of [["x1", "abcd" + "1".repeat(60)], ["x2", "abcd" + "2".repeat(60)]]) {
    cache.sql(
      `INSERT INTO __cas_bundle(name, set_hash, created_at, last_used_at) VALUES (?, ?, ?, ?)`,
      name,
      hash,
      now,
      now,
    );
  }
  const ambiguous = await cache.shell(["--bundle", "abcd", db, "create table t(a)"]);
  assertShellError(ambiguous, /ambiguous/);
  assert.ok(!exists(db));

  const usage = await cache.shell(["--bundle"]);
  assert.equal(usage.code, 1);
  assert.match(usage.stderr, /missing argument to --bundle/);
  const two = await cache.shell(["--bundle", "a", "--bundle", "b", db]);
  assert.equal(two.code, 1);
  assert.match(two.stderr, /only one bundle/);
  assert.ok(!exists(db));
});

Deno.test("launch: missing blobs give ONE error naming every missing member and how to get them", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  await save(cache, "team", ext.vec9.path, ext.hello.path, ext.lines.path);
  cache.sql(
    `DELETE FROM __cas_artifact WHERE blake3 IN (?, ?)`,
    ext.vec9.blake3,
    ext.hello.blake3,
  );
  const db = join(cache.dir, "never.db");
  const result = await cache.shell(["--bundle", "team", db, "create table t(a)"]);
  const stderr = assertShellError(result, /^Error: Cannot load bundle "team": /m);
  assert.equal((stderr.match(/^Error:/gm) ?? []).length, 1, stderr);
  assert.match(stderr, new RegExp(`vec0 \\(blake3 ${ext.vec9.blake3.slice(0, 12)}`));
  assert.match(stderr, new RegExp(`sqlinkhello \\(blake3 ${ext.hello.blake3.slice(0, 12)}`));
  assert.doesNotMatch(stderr, /lines0/);
  assert.match(stderr, /^hint: .*\.load.*sqlink cas put.*import/m);
  assert.ok(!exists(db));

  const shown = await show(cache, "team");
  assert.deepEqual(shown.members.map((m) => [m.extensionName, m.present]), [
    ["vec0", false],
    ["sqlinkhello", false],
    ["lines0", true],
  ]);
  const text = await cache.cli("bundle", "show", "team");
  assert.match(text.stdout, /^ +1 +vec0 +\S+ +default +MISSING$/m);

  // Getting them back (as the hint says) makes the bundle work again.
  const put = await cache.cli("cas", "put", ext.vec9.path);
  assert.equal(put.code, 0, put.stderr);
  const reload = await cache.shell([":memory:", `.load ${ext.hello.path}`]);
  assert.equal(reload.code, 0, reload.stderr);
  const ok = await cache.shell([
    "--bundle",
    "team",
    ":memory:",
    "select vec_version(), hello('x'), lines_version()",
  ]);
  assert.equal(ok.stdout, "v0.1.9|hello, x|v0.2.2\n", ok.stderr);
});

Deno.test("pins: bundle members survive cas gc --max-bytes 0; deleting the last bundle frees them", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  await save(cache, "a", ext.vec9.path, ext.hello.path);
  await save(cache, "b", ext.hello.path);
  const loose = await cache.shell([":memory:", `.load ${ext.lines.path}`]);
  assert.equal(loose.code, 0, loose.stderr);

  const gc = await cache.json("cas", "gc", "--max-bytes", "0");
  assert.deepEqual((gc.evicted as { blake3: string }[]).map((e) => e.blake3), [ext.lines.blake3]);
  assert.deepEqual(cache.state().artifacts, [ext.vec9.blake3, ext.hello.blake3].sort());
  const ls = await cache.json("cas", "ls");
  for (const row of ls.artifacts as { blake3: string; pinned: boolean }[]) {
    assert.equal(row.pinned, true, row.blake3);
  }
  const launch = await cache.shell([
    "--bundle",
    "a",
    ":memory:",
    "select vec_version(), hello('p')",
  ]);
  assert.equal(launch.stdout, "v0.1.9|hello, p\n", launch.stderr);

  // Deleting "a" frees vec0; sqlinkhello is still pinned by "b".
  assert.equal((await cache.cli("bundle", "delete", "a")).code, 0);
  await cache.json("cas", "gc", "--max-bytes", "0");
  assert.deepEqual(cache.state().artifacts, [ext.hello.blake3]);
  assert.equal(cache.state().uris["extension:vec0"], undefined, "its URIs went with it");
  // Deleting the last bundle that references it makes it evictable too.
  assert.equal((await cache.cli("bundle", "gc", "--keep", "0")).code, 0);
  await cache.json("cas", "gc", "--max-bytes", "0");
  assert.deepEqual(cache.state().artifacts, []);
  // A launch now says what is missing.
  await save(cache, "c", ext.hello.path);
  cache.sql(`DELETE FROM __cas_artifact`);
  const missing = await cache.shell(["--bundle", "c", ":memory:", "select 1"]);
  assertShellError(missing, /sqlinkhello \(blake3/);
});

Deno.test({
  name:
    "launch: a member's bytes materialized under another file name still load by the member's name",
  fn: async () => {
    const ext = await extensions();
    using cache = new TestCache();
    await save(cache, "v", ext.vec9.path);
    for (const prefix of ["a", "b", "c", "d", "e", "f"]) {
      const copy = join(cache.dir, `${prefix}vec.so`);
      Deno.copyFileSync(ext.vec9.path, copy);
      const loaded = await cache.shell([
        ":memory:",
        `.load ${copy} sqlite3_vec_init`,
        "select vec_version()",
      ]);
      assert.equal(loaded.stdout, "v0.1.9\n", loaded.stderr);
    }
    const launch = await cache.shell(["--bundle", "v", ":memory:", "select vec_version()"]);
    assert.equal(launch.stdout, "v0.1.9\n", launch.stderr);
    assert.equal(launch.code, 0);
  },
});

Deno.test(".bundle save after the members were evicted: one error naming both; .load again fixes it", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const result = await cache.script(
    `.load ${ext.vec9.path}\n.load ${ext.hello.path}\n.cas gc --max-bytes 0\n.bundle save x\n` +
      `.load ${ext.vec9.path}\n.load ${ext.hello.path}\n.bundle save x\n`,
  );
  assert.equal(result.code, 1, "the first save failed");
  const stderr = result.stderr;
  assert.equal((stderr.match(/^Error:/gm) ?? []).length, 1, stderr);
  assert.match(
    stderr,
    /^Error: Cannot save bundle "x": these 2 members are not in the cas-cache: /m,
  );
  assert.match(stderr, /vec0 \(blake3 [0-9a-f]{12}…\), sqlinkhello \(blake3 [0-9a-f]{12}…\)/);
  assert.match(stderr, /^hint: .*\.load/m);
  assert.match(result.stdout, /^saved bundle "x": set [0-9a-f]{12} \(vec0, sqlinkhello\)$/m);
  assert.deepEqual(cache.state().bundles, ["x"]);
  assert.deepEqual(cache.state().artifacts, [ext.vec9.blake3, ext.hello.blake3].sort());
});
