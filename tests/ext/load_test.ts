/**
 * End-to-end tests of `.load`, `--load` and `.extensions` (SPEC §5, §9): the real sqlink as
 * a subprocess, real extension binaries, one private cas-cache per test. Each checks what
 * the user sees and what the cache and the disk hold afterwards.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { MAIN } from "../helpers/cli.ts";
import {
  assertCliError,
  assertNoStack,
  assertShellError,
  exists,
  extensions,
  type Fixture,
  TestCache,
} from "../helpers/extensions.ts";

/** The `.extensions` block of one extension, or fail. */
function block(output: string, name: string): string {
  const at = output.search(new RegExp(`^${name}  `, "m"));
  assert.ok(at >= 0, `no .extensions block for ${name} in:\n${output}`);
  const next = output.slice(at).search(/\n\S/);
  return next < 0 ? output.slice(at) : output.slice(at, at + next + 1);
}

/** The materialized copy of `ext` exists with mode 0700 (and its directory), same bytes. */
function assertMaterialized(cache: TestCache, ext: Fixture): void {
  const path = cache.materialized(ext.blake3, ext.file);
  const info = Deno.statSync(path);
  assert.ok(info.isFile, path);
  assert.equal(info.mode! & 0o777, 0o700, `mode of ${path}`);
  assert.equal(Deno.statSync(join(cache.root, "ext", ext.blake3)).mode! & 0o777, 0o700);
  assert.equal(Deno.statSync(join(cache.root, "ext")).mode! & 0o777, 0o700);
  assert.deepEqual(Deno.readFileSync(path), Deno.readFileSync(ext.path));
}

Deno.test(".load: every real extension loads, its functions run, and it is cached, bound and materialized", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const all = [ext.vec9, ext.lines, ext.path, ext.regex, ext.hello];
  const result = await cache.script(
    all.map((e) => `.load ${e.path}\n`).join("") +
      "select vec_version(), lines_version(), path_version(), regex_version();\n" +
      "select hello('world'), sqlinkhello_version(), 'abc' regexp 'b+', " +
      "vec_length('[1,2,3]'), path_basename('/a/b.txt');\n" +
      "select count(*) from lines_read('/dev/null');\n",
  );
  assert.equal(result.stderr, "");
  assert.equal(result.code, 0);
  assert.equal(
    result.stdout,
    "v0.1.9|v0.2.2|v0.2.1|v0.2.3\nhello, world|sqlinkhello 1.0|1|3|b.txt\n0\n",
  );

  const state = cache.state();
  assert.deepEqual(state.artifacts, all.map((e) => e.blake3).sort());
  for (const e of all) {
    assert.equal(state.uris[`extension:${e.name}`], e.blake3, e.name);
    assert.equal(state.uris[e.origin], e.blake3, e.origin);
    assertMaterialized(cache, e);
    assert.deepEqual(cache.materializedFiles(e.blake3), [e.file]);
  }
  assert.equal(Object.keys(state.uris).length, 2 * all.length);

  // `sqlink cas uri ls` shows both handles of each.
  const uris = await cache.cli("cas", "uri", "ls");
  assert.equal(uris.code, 0, uris.stderr);
  for (const e of all) {
    assert.match(uris.stdout, new RegExp(`^extension:${e.name} +${e.blake3} `, "m"));
    assert.ok(uris.stdout.includes(`${e.origin}  `), `${e.origin} in\n${uris.stdout}`);
  }
  const json = await cache.json("cas", "ls");
  const artifacts = json.artifacts as { blake3: string; size: number; uris: string[] }[];
  for (const e of all) {
    const row = artifacts.find((a) => a.blake3 === e.blake3)!;
    assert.equal(row.size, Deno.statSync(e.path).size);
    assert.deepEqual([...row.uris].sort(), [`extension:${e.name}`, e.origin].sort());
  }
});

Deno.test(".extensions: name, short BLAKE3, file:// origin, entry point, functions and modules", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const none = await cache.script(".extensions\n");
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stdout, /No extensions are loaded/);

  const result = await cache.script(
    [ext.vec9, ext.lines, ext.regex, ext.hello].map((e) => `.load ${e.path}\n`).join("") +
      ".extensions\n",
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const names = [...result.stdout.matchAll(/^(\S+) {2}blake3:/gm)].map((m) => m[1]);
  assert.deepEqual(names, ["vec0", "lines0", "regex0", "sqlinkhello"], "in load order");

  const vec = block(result.stdout, "vec0");
  assert.match(
    vec,
    new RegExp(`^vec0  blake3:${ext.vec9.blake3.slice(0, 12)}  ${ext.vec9.origin}$`, "m"),
  );
  assert.match(vec, /^ {2}entry point: sqlite3_vec_init \(default\)$/m);
  assert.match(vec, /^ {2}functions: .*\bvec_version\b/m);
  assert.match(vec, /^ {2}functions: .*\bvec_distance_l2\b/m);
  assert.match(vec, /^ {2}modules: +vec0 vec_each \(2\)$/m);

  const lines = block(result.stdout, "lines0");
  assert.match(lines, /entry point: sqlite3_lines_init \(default\)/);
  assert.match(lines, /^ {2}functions: +lines_debug lines_version \(2\)$/m);
  assert.match(lines, /^ {2}modules: +lines lines_read \(2\)$/m);

  const regex = block(result.stdout, "regex0");
  assert.match(regex, /^ {2}functions: .*\bregex_version\b.*\bregexp\b/m);
  assert.match(regex, /^ {2}modules: .*\bregex_find_all\b/m);

  const hello = block(result.stdout, "sqlinkhello");
  assert.match(hello, new RegExp(`blake3:${ext.hello.blake3.slice(0, 12)}  ${ext.hello.origin}`));
  assert.match(hello, /entry point: sqlite3_sqlinkhello_init \(default\)/);
  assert.match(hello, /^ {2}functions: +hello sqlinkhello_version \(2\)$/m);
  assert.match(hello, /^ {2}modules: +\(none\)$/m);
  // The functions of one extension are not credited to another.
  assert.doesNotMatch(vec, /hello|lines_|regex/);
});

Deno.test(".load PATH ENTRY: the alternative entry point registers its own functions", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const result = await cache.script(
    `.load ${ext.hello.path} sqlinkhello_alt_init\nselect goodbye('moon');\n.extensions\n` +
      "select hello('x');\n",
  );
  assert.equal(result.code, 1, "the last statement fails: hello() was not registered");
  assert.match(result.stdout, /^goodbye, moon\n/);
  assert.match(result.stdout, /entry point: sqlinkhello_alt_init\n/, "no (default) mark");
  assert.match(result.stdout, /^ {2}functions: +goodbye \(1\)$/m);
  assert.match(result.stderr, /no such function: hello/);
  assert.equal(cache.state().uris["extension:sqlinkhello"], ext.hello.blake3);
});

Deno.test(".load with a wrong entry point: one error, nothing bound, no new blob, no materialized copy", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const result = await cache.script(`.load ${ext.hello.path} nope_init\nselect 'still here';\n`);
  assertShellError(
    result,
    /^Error: Cannot load ".*sqlinkhello\.so": .*no entry point "nope_init"/m,
  );
  assert.equal(result.stdout, "still here\n", "the shell goes on");
  assert.equal((result.stderr.match(/^Error:/gm) ?? []).length, 1);
  assert.deepEqual(cache.state(), { artifacts: [], uris: {}, bundles: [] });
  assert.deepEqual(cache.materializedFiles(ext.hello.blake3), []);
  const ls = await cache.json("cas", "ls");
  assert.deepEqual(ls.artifacts, []);

  // A blob that was there before stays (another load put it), with its bindings.
  const first = await cache.script(`.load ${ext.hello.path}\n`);
  assert.equal(first.code, 0, first.stderr);
  const before = cache.state();
  const again = await cache.script(`.load ${ext.hello.path} nope_init\n`);
  assertShellError(again, /no entry point "nope_init"/);
  assert.deepEqual(cache.state(), before);
  assert.deepEqual(cache.materializedFiles(ext.hello.blake3), [ext.hello.file]);
});

Deno.test("vec0 0.1.6 and 0.1.9: two artifacts under one name; extension:vec0 follows the last load", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  assert.notEqual(ext.vec6.blake3, ext.vec9.blake3);

  const six = await cache.shell([":memory:", `.load ${ext.vec6.path}`, "select vec_version()"]);
  assert.equal(six.stdout, "v0.1.6\n", six.stderr);
  assert.equal(cache.state().uris["extension:vec0"], ext.vec6.blake3);
  const nine = await cache.shell([":memory:", `.load ${ext.vec9.path}`, "select vec_version()"]);
  assert.equal(nine.stdout, "v0.1.9\n", nine.stderr);

  const state = cache.state();
  assert.deepEqual(state.artifacts, [ext.vec6.blake3, ext.vec9.blake3].sort());
  assert.equal(state.uris["extension:vec0"], ext.vec9.blake3, "rebound to the last load");
  assert.equal(state.uris[ext.vec6.origin], ext.vec6.blake3);
  assert.equal(state.uris[ext.vec9.origin], ext.vec9.blake3);
  assertMaterialized(cache, ext.vec6);
  assertMaterialized(cache, ext.vec9);
});

Deno.test("loading another build of an extension in the same session: clear error, the first stays", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const result = await cache.script(
    `.load ${ext.vec6.path}\n.load ${ext.vec9.path}\nselect vec_version();\n`,
  );
  const stderr = assertShellError(result, /already loaded from a different build/);
  assert.match(stderr, /^Error: Cannot load ".*0\.1\.9\/vec0\.so": extension "vec0"/m);
  assert.ok(stderr.includes(ext.vec6.blake3.slice(0, 12)), "names the build in use");
  assert.equal(result.stdout, "v0.1.6\n");
  const state = cache.state();
  assert.deepEqual(state.artifacts, [ext.vec6.blake3], "the refused build left no blob");
  assert.equal(state.uris["extension:vec0"], ext.vec6.blake3);
  assert.equal(state.uris[ext.vec9.origin], undefined);
  assert.deepEqual(cache.materializedFiles(ext.vec9.blake3), []);

  // The same build twice is fine: nothing to do.
  const twice = await cache.script(`.load ${ext.vec6.path}\n.load ${ext.vec6.path}\n`);
  assert.equal(twice.code, 0, twice.stderr);
  assert.equal(twice.stderr, "");
});

Deno.test(".open: the session's extensions load into every database opened later", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const a = join(cache.dir, "a.db");
  const b = join(cache.dir, "b.db");
  const result = await cache.script(
    `.load ${ext.hello.path}\n.load ${ext.vec9.path}\n` +
      `.open ${a}\ncreate virtual table v using vec0(e float[2]);\n` +
      `insert into v(rowid, e) values (1, '[1,2]');\nselect hello('a'), vec_version();\n` +
      `.open :memory:\nselect hello('mem'), vec_length('[1,2,3]');\n` +
      `.open ${b}\nselect hello('b');\n` +
      `.open --new ${b}\nselect hello('new');\n` +
      `.open ${a}\nselect rowid, vec_to_json(e) from v;\n`,
  );
  assert.equal(result.stderr, "");
  assert.equal(result.code, 0);
  assert.equal(
    result.stdout,
    "hello, a|v0.1.9\nhello, mem|3\nhello, b\nhello, new\n1|[1.000000,2.000000]\n",
  );
});

Deno.test("--load on a file database: the extensions are there in the first database and after .open", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const db = join(cache.dir, "db.sqlite");
  const other = join(cache.dir, "other.sqlite");
  const result = await cache.shell([
    "--load",
    ext.vec9.path,
    "-load",
    ext.lines.path,
    db,
    "select vec_version(), lines_version()",
    `.open ${other}`,
    "select vec_version(), lines_version()",
  ]);
  assert.equal(result.stderr, "");
  assert.equal(result.code, 0);
  assert.equal(result.stdout, "v0.1.9|v0.2.2\nv0.1.9|v0.2.2\n");
  const state = cache.state();
  assert.deepEqual(state.artifacts, [ext.vec9.blake3, ext.lines.blake3].sort());
  assert.equal(state.uris["extension:lines0"], ext.lines.blake3);

  const listed = await cache.shell([
    "--load",
    ext.hello.path,
    "--load",
    ext.vec9.path,
    ":memory:",
    ".extensions",
  ]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(
    [...listed.stdout.matchAll(/^(\S+) {2}blake3:/gm)].map((m) => m[1]),
    ["sqlinkhello", "vec0"],
  );
});

Deno.test("SQL load_extension() stays disabled, before and after .load", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const before = await cache.shell([":memory:", `select load_extension('${ext.hello.path}')`]);
  assert.equal(before.code, 1);
  assert.match(before.stderr, /not authorized/);
  const after = await cache.script(
    `.load ${ext.vec9.path}\nselect load_extension('${ext.hello.path}');\nselect hello('x');\n`,
  );
  assert.equal(after.code, 1);
  assert.match(after.stderr, /not authorized/);
  assert.match(after.stderr, /no such function: hello/);
  assert.deepEqual(cache.state().artifacts, [ext.vec9.blake3], "load_extension() cached nothing");
});

Deno.test("header check: a text file, a directory, a missing path, an empty file, another architecture", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const text = join(cache.dir, "notes.so");
  Deno.writeTextFileSync(text, "hello, I am text\n");
  const empty = join(cache.dir, "empty.so");
  Deno.writeFileSync(empty, new Uint8Array());
  const dir = join(cache.dir, "adir.so");
  Deno.mkdirSync(dir);
  const cases: [string, RegExp][] = [
    [text, /it is a text file, not a shared library/],
    [dir, /it is a directory/],
    [join(cache.dir, "missing.so"), /no such file/],
    [empty, /it is an empty file/],
    [ext.foreign.path, /AArch64|x86-64/],
  ];
  for (const [path, reason] of cases) {
    const db = join(cache.dir, "user.db");
    const result = await cache.shell([db, `.load ${path}`]);
    const stderr = assertShellError(
      result,
      new RegExp(`^Error: Cannot load "${path.replaceAll(".", "\\.")}": `, "m"),
    );
    assert.match(stderr, reason, path);
    assert.equal((stderr.match(/^Error:/gm) ?? []).length, 1, stderr);
    assert.deepEqual(cache.state(), { artifacts: [], uris: {}, bundles: [] }, path);
    assert.ok(
      !exists(join(cache.root, "ext")) ||
        [...Deno.readDirSync(join(cache.root, "ext"))].length === 0,
    );
  }
  // The foreign build says what was found and what this machine needs.
  const foreign = await cache.script(`.load ${ext.foreign.path}\n`);
  assert.match(
    foreign.stderr,
    /for (AArch64|x86-64), and this machine needs .* for (x86-64|AArch64)/,
  );
});

Deno.test("--load: a bad file stops the launch before anything: no database file, nothing cached", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const db = join(cache.dir, "never.db");
  const text = join(cache.dir, "text.so");
  Deno.writeTextFileSync(text, "not a library\n");
  for (const bad of [ext.foreign.path, text, join(cache.dir, "missing.so")]) {
    const result = await cache.shell(["--load", bad, db, "create table t(a)"]);
    assertShellError(result, /^Error: Cannot load /m);
    assert.equal(result.stdout, "");
    assert.ok(!exists(db), `${bad}: the database was created`);
    assert.deepEqual(cache.state(), { artifacts: [], uris: {}, bundles: [] });
  }
  // With an entry point that does not exist: the library is fine, the load is not.
  const copy = join(cache.dir, "greet.so");
  Deno.copyFileSync(ext.hello.path, copy);
  const wrong = await cache.shell(["--load", copy, db, "create table t(a)"]);
  assertShellError(wrong, /no entry point "sqlite3_greet_init"/);
  assert.ok(!exists(db));
  assert.deepEqual(cache.state(), { artifacts: [], uris: {}, bundles: [] });
});

Deno.test("--load A --load BAD: the launch stops, no database file is created", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const db = join(cache.dir, "never.db");
  const result = await cache.shell([
    "--load",
    ext.vec9.path,
    "--load",
    ext.foreign.path,
    db,
    "create table t(a)",
  ]);
  assertShellError(result, /^Error: Cannot load /m);
  assert.ok(!exists(db));
});

Deno.test({
  name: "--load A --load BAD: a failed launch leaves the cache as it was",
  fn: async () => {
    const ext = await extensions();
    using cache = new TestCache();
    const db = join(cache.dir, "never.db");
    const result = await cache.shell(["--load", ext.vec9.path, "--load", ext.foreign.path, db]);
    assertShellError(result, /^Error: Cannot load /m);
    assert.deepEqual(cache.state(), { artifacts: [], uris: {}, bundles: [] });
  },
});

Deno.test("a relative path is bound as the absolute file:// URI", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const copyDir = join(cache.dir, "exts");
  Deno.mkdirSync(copyDir);
  Deno.copyFileSync(ext.hello.path, join(copyDir, ext.hello.file));
  const result = await cache.shell([
    ":memory:",
    `.load exts/${ext.hello.file}`,
    "select hello('rel')",
  ], {
    cwd: cache.dir,
  });
  assert.equal(result.stdout, "hello, rel\n", result.stderr);
  const origin = pathToFileURL(join(copyDir, ext.hello.file)).href;
  assert.equal(cache.state().uris[origin], ext.hello.blake3);
  // Without its suffix, like SQLite: `exts/sqlinkhello` finds `exts/sqlinkhello.so`.
  const bare = await cache.shell([":memory:", ".load exts/sqlinkhello", "select hello('bare')"], {
    cwd: cache.dir,
  });
  assert.equal(bare.stdout, "hello, bare\n", bare.stderr);
});

Deno.test("a tampered materialized copy is replaced from the cache on the next load and works", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const first = await cache.shell([":memory:", `.load ${ext.vec9.path}`]);
  assert.equal(first.code, 0, first.stderr);
  const copy = cache.materialized(ext.vec9.blake3, ext.vec9.file);

  // Different bytes of another size, then the same size (only a hash can tell).
  const size = Deno.statSync(copy).size;
  for (const bad of [new TextEncoder().encode("garbage\n"), new Uint8Array(size).fill(0x90)]) {
    Deno.writeFileSync(copy, bad);
    const again = await cache.shell([":memory:", `.load ${ext.vec9.path}`, "select vec_version()"]);
    assert.equal(again.stdout, "v0.1.9\n", again.stderr);
    assert.equal(again.code, 0);
    assertMaterialized(cache, ext.vec9);
  }

  // And through a bundle launch, which materializes from the cache itself.
  const saved = await cache.cli("bundle", "save", "v", `extension:vec0`);
  assert.equal(saved.code, 0, saved.stderr);
  for (const bad of [new TextEncoder().encode("garbage\n"), new Uint8Array(size).fill(0x90)]) {
    Deno.writeFileSync(copy, bad);
    const launch = await cache.shell(["--bundle", "v", ":memory:", "select vec_version()"]);
    assert.equal(launch.stdout, "v0.1.9\n", launch.stderr);
    assertMaterialized(cache, ext.vec9);
  }
  // A deleted copy too.
  Deno.removeSync(join(cache.root, "ext"), { recursive: true });
  const gone = await cache.shell(["--bundle", "v", ":memory:", "select vec_version()"]);
  assert.equal(gone.stdout, "v0.1.9\n", gone.stderr);
  assertMaterialized(cache, ext.vec9);
});

Deno.test("a tampered cache blob: a clear error naming the artifact, never a silent load", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const saved = await cache.cli("bundle", "save", "v", ext.vec9.path, ext.hello.path);
  assert.equal(saved.code, 0, saved.stderr);
  Deno.removeSync(join(cache.root, "ext"), { recursive: true });
  const size = Deno.statSync(ext.vec9.path).size;
  // Same length, other bytes, stored raw: only the hash can tell.
  cache.sql(
    `UPDATE __cas_artifact SET data = zeroblob(?), codec = 'raw', stored_size = ?, chunks = 0
     WHERE blake3 = ?`,
    size,
    size,
    ext.vec9.blake3,
  );
  const db = join(cache.dir, "user.db");
  const launch = await cache.shell(["--bundle", "v", db, "select vec_version()"]);
  const stderr = assertShellError(launch, new RegExp(ext.vec9.blake3));
  assert.match(stderr, /corrupt|does not hash|mismatch/i);
  assert.equal(launch.stdout, "");
  assert.ok(!exists(db), "no database file");
  assert.deepEqual(cache.materializedFiles(ext.vec9.blake3), [], "nothing written from bad bytes");

  // `sqlink bundle save … extension:vec0` reads the blob back too.
  const save = await cache.cli("bundle", "save", "w", "extension:vec0");
  assertCliError(save, new RegExp(ext.vec9.blake3));
  assert.deepEqual(cache.state().bundles, ["v"]);

  // Other bytes of another length.
  cache.sql(
    `UPDATE __cas_artifact SET data = x'00112233', codec = 'raw', stored_size = 4 WHERE blake3 = ?`,
    ext.vec9.blake3,
  );
  const short = await cache.shell(["--bundle", "v", db, "select vec_version()"]);
  assertShellError(short, new RegExp(ext.vec9.blake3));
  assert.ok(!exists(db));
});

Deno.test(".load: usage errors are one line, the shell goes on", async () => {
  using cache = new TestCache();
  const result = await cache.script(".load\n.load a b c\nselect 'next';\n");
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "next\n");
  assert.match(result.stderr, /^Usage: \.load FILE \?ENTRY\?\n/);
  assertNoStack(result);
  assert.deepEqual(cache.state(), { artifacts: [], uris: {}, bundles: [] });
});

Deno.test({
  name: "a failed .load of known bytes under another file name leaves no materialized copy",
  fn: async () => {
    const ext = await extensions();
    using cache = new TestCache();
    const first = await cache.script(`.load ${ext.vec9.path}\n`);
    assert.equal(first.code, 0, first.stderr);
    const copy = join(cache.dir, "avec.so");
    Deno.copyFileSync(ext.vec9.path, copy);
    const before = cache.state();
    const result = await cache.script(`.load ${copy}\n`);
    assertShellError(result, /no entry point "sqlite3_avec_init"/);
    assert.deepEqual(cache.state(), before, "nothing bound");
    assert.deepEqual(cache.materializedFiles(ext.vec9.blake3), [ext.vec9.file]);
  },
});

Deno.test({
  name: ".load of a build already loaded in the session binds its URIs again (after eviction)",
  fn: async () => {
    const ext = await extensions();
    using cache = new TestCache();
    const result = await cache.script(
      `.load ${ext.vec9.path}\n.cas gc --max-bytes 0\n.load ${ext.vec9.path}\n`,
    );
    assert.equal(result.code, 0, result.stderr);
    const state = cache.state();
    assert.deepEqual(state.artifacts, [ext.vec9.blake3]);
    assert.equal(state.uris["extension:vec0"], ext.vec9.blake3);
    assert.equal(state.uris[ext.vec9.origin], ext.vec9.blake3);
  },
});

Deno.test("parallel .load of one file into a fresh cache: all succeed, one artifact, one copy", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const runs = await Promise.all(
    Array.from(
      { length: 6 },
      () => cache.shell([":memory:", `.load ${ext.vec9.path}`, "select vec_version()"]),
    ),
  );
  for (const run of runs) {
    assert.equal(run.stdout, "v0.1.9\n", run.stderr);
    assert.equal(run.code, 0);
  }
  assert.deepEqual(cache.state().artifacts, [ext.vec9.blake3]);
  assert.deepEqual(cache.materializedFiles(ext.vec9.blake3), [ext.vec9.file]);
  assertMaterialized(cache, ext.vec9);
});

Deno.test("without --allow-ffi: .load, --load, --bundle and bundle save say so, and cache nothing", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const saved = await cache.cli("bundle", "save", "set", ext.lines.path);
  assert.equal(saved.code, 0, saved.stderr);
  const before = cache.state();
  const noFfi = async (args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--allow-read", "--allow-write", "--allow-env", MAIN, ...args],
      env: { ...cache.env, NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr, /Deno does not allow this process to load native code\n.*--allow-ffi/);
    assert.doesNotMatch(stderr, /Unexpected failure|at /);
  };
  await noFfi(["-init", "/dev/null", ":memory:", `.load ${ext.vec9.path}`]);
  await noFfi(["-init", "/dev/null", "--load", ext.vec9.path, ":memory:", "select 1"]);
  await noFfi(["-init", "/dev/null", "--bundle", "set", ":memory:", "select 1"]);
  await noFfi(["bundle", "save", "other", ext.vec9.path]);
  assert.deepEqual(cache.state(), before);
});
