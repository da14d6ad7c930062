/**
 * scripts/c_extension.ts: our own extension builds with gcc, loads through both entry
 * points, is reused when unchanged, and survives concurrent builds.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { C_EXTENSION, ensureCExtension } from "../../scripts/c_extension.ts";
import { tempDir } from "../helpers/cli.ts";

/** Load `path` into `db`; node:sqlite's types omit the entry point that Deno accepts. */
function loadExtension(db: DatabaseSync, path: string, entryPoint?: string): void {
  if (entryPoint === undefined) db.loadExtension(path);
  else (db.loadExtension as (path: string, entryPoint: string) => void).call(db, path, entryPoint);
}

/** A fresh in-memory database with `path` loaded through `entryPoint`. */
function loaded(path: string, entryPoint?: string): DatabaseSync & Disposable {
  const db = new DatabaseSync(":memory:", { allowExtension: true });
  loadExtension(db, path, entryPoint);
  return Object.assign(db, { [Symbol.dispose]: () => db.close() });
}

function select(db: DatabaseSync, sql: string): unknown {
  return Object.values(db.prepare(`SELECT ${sql} AS v`).get()!)[0];
}

Deno.test("c extension: the default entry point registers hello() and sqlinkhello_version()", async () => {
  const path = await ensureCExtension();
  assert.match(basename(path), new RegExp(`^${C_EXTENSION.name}\\.(so|dylib|dll)$`));
  using db = loaded(path);
  assert.equal(select(db, "hello('world')"), "hello, world");
  assert.equal(select(db, "hello('wörld ✓')"), "hello, wörld ✓");
  assert.equal(select(db, "hello(42)"), "hello, 42");
  assert.equal(select(db, "hello(NULL)"), null, "NULL in, NULL out, like ||");
  assert.equal(select(db, "sqlinkhello_version()"), C_EXTENSION.version);
  assert.throws(() => select(db, "goodbye('x')"), /no such function: goodbye/);
});

Deno.test("c extension: the alternative entry point registers goodbye() only", async () => {
  const path = await ensureCExtension();
  using db = loaded(path, C_EXTENSION.altEntryPoint);
  assert.equal(select(db, "goodbye('world')"), "goodbye, world");
  assert.throws(() => select(db, "hello('x')"), /no such function: hello/);
  // Both entry points can go into one connection.
  loadExtension(db, path, C_EXTENSION.defaultEntryPoint);
  assert.equal(select(db, "hello('again')"), "hello, again");
});

Deno.test("c extension: a missing entry point is SQLite's error, naming the symbol", async () => {
  const path = await ensureCExtension();
  const db = new DatabaseSync(":memory:", { allowExtension: true });
  try {
    assert.throws(() => loadExtension(db, path, "sqlinkhello_nope_init"), /sqlinkhello_nope_init/);
  } finally {
    db.close();
  }
});

Deno.test("c extension: an unchanged build is reused, not rebuilt", async () => {
  using dir = tempDir();
  const first = await ensureCExtension({ dir: dir.path });
  const before = Deno.statSync(first).mtime;
  const second = await ensureCExtension({ dir: dir.path });
  assert.equal(second, first);
  assert.deepEqual(Deno.statSync(second).mtime, before);
  assert.ok(dirname(first).startsWith(dir.path), `${first} is under ${dir.path}`);
});

Deno.test("c extension: concurrent builds agree on one finished directory", async () => {
  using dir = tempDir();
  const paths = await Promise.all(
    Array.from({ length: 4 }, () => ensureCExtension({ dir: dir.path })),
  );
  assert.equal(new Set(paths).size, 1);
  const entries = [...Deno.readDirSync(dir.path)].map((e) => e.name);
  assert.deepEqual(entries, [basename(dirname(paths[0]))], "no temporary directory left");
  using db = loaded(paths[0]);
  assert.equal(select(db, "hello('race')"), "hello, race");
});

const SCRIPT = fileURLToPath(new URL("../../scripts/c_extension.ts", import.meta.url));

/** Run the script with only `bin` on PATH; returns its exit code and stderr. */
async function runScriptWithPath(bin: string, dir: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--allow-read", "--allow-write", "--allow-run", SCRIPT, "--dir", dir],
    env: { PATH: bin, NO_COLOR: "1" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("c extension: without gcc, the error says what to install", async () => {
  using dir = tempDir();
  const bin = join(dir.path, "bin");
  Deno.mkdirSync(bin);
  const { code, stderr } = await runScriptWithPath(bin, join(dir.path, "out"));
  assert.equal(code, 1);
  assert.match(stderr, /^error: gcc is not on PATH; .*`apt-get install gcc libsqlite3-dev`/);
});

Deno.test("c extension: without sqlite3ext.h, the error says what to install", async () => {
  using dir = tempDir();
  const bin = join(dir.path, "bin");
  Deno.mkdirSync(bin);
  // A gcc that fails the way gcc does when libsqlite3-dev is not installed.
  Deno.writeTextFileSync(
    join(bin, "gcc"),
    "#!/bin/sh\necho 'sqlinkhello.c:2:10: fatal error: sqlite3ext.h: No such file or directory' >&2\nexit 1\n",
    { mode: 0o755 },
  );
  const { code, stderr } = await runScriptWithPath(bin, join(dir.path, "out"));
  assert.equal(code, 1);
  assert.match(stderr, /^error: SQLite's headers \(sqlite3ext\.h\) are missing; install them/);
  assert.match(stderr, /apt-get install gcc libsqlite3-dev/);
  assert.deepEqual([...Deno.readDirSync(join(dir.path, "out"))], [], "no temporary left");
});
