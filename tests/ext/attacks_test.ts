/**
 * Bad inputs an attacker or an unlucky user tries on extension names, materialized copies
 * and library files (SPEC §2, §5, §9): each is one clear error, a non-zero exit, nothing
 * written outside the cache, and nothing loaded that was not hashed.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import {
  assertCliError,
  assertShellError,
  exists,
  extensions,
  TestCache,
} from "../helpers/extensions.ts";

const TRAVERSAL = "../../../../victim";

/** set_hash as SPEC §6.1 defines it, computed here so a crafted archive can carry any name. */
function rawSetHash(members: { name: string; blake3: string }[]): string {
  const lines = members.map((m) => `${m.name}\t${m.blake3}\n`).sort();
  return createHash("sha256").update(lines.join("")).digest("hex");
}

/** Every file under `dir`, relative, sorted. */
function tree(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return out;
  }
  for (const e of entries) {
    const rel = prefix + e.name;
    if (e.isDirectory) out.push(...tree(join(dir, e.name), rel + "/"));
    else out.push(rel);
  }
  return out.sort();
}

Deno.test("attack: an archive whose member name climbs out of the cache is refused whole", async () => {
  const ext = await extensions();
  using source = new TestCache();
  assert.equal((await source.cli("bundle", "save", "b", ext.vec9.path)).code, 0);
  const archive = join(source.dir, "evil.sqlink");
  assert.equal((await source.cli("cas", "export", "b", "-o", archive)).code, 0);
  for (const name of [TRAVERSAL, "..\\..\\victim", "C:victim", "a/b", "vec\u00000", ".hidden"]) {
    const db = new DatabaseSync(archive);
    db.prepare("UPDATE __cas_bundle_member SET extension_name = ?").run(name);
    db.prepare("UPDATE __cas_bundle SET set_hash = ?").run(
      rawSetHash([{ name, blake3: ext.vec9.blake3 }]),
    );
    db.close();

    using target = new TestCache();
    const victim = join(target.dir, "victim.so");
    Deno.writeTextFileSync(victim, "the user's own file");
    const result = await target.cli("cas", "import", archive);
    // SQLite keeps the NUL, but a text read stops at it: the names then disagree with set_hash.
    assertCliError(
      result,
      name.includes("\0")
        ? /does not match its members/
        : /is malformed: Extension name .* cannot be in a bundle/,
    );
    assert.deepEqual(target.state(), { artifacts: [], uris: {}, bundles: [] }, name);
    assert.equal(Deno.readTextFileSync(victim), "the user's own file");
    assert.deepEqual(tree(join(target.root, "ext")), [], name);
  }
});

Deno.test("attack: extension:NAME with a path in it cannot be bound, saved or launched", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  assert.equal((await cache.cli("cas", "put", ext.vec9.path)).code, 0);
  for (const name of [TRAVERSAL, "a\\b", "x\ny", "..", "D:\\x"]) {
    const bound = await cache.cli("cas", "uri", "set", `extension:${name}`, ext.vec9.blake3);
    assertCliError(bound, /is not a valid extension name/, 2);
  }
  assert.deepEqual(Object.keys(cache.state().uris), []);

  // A binding or bundle row made before names were checked (an old cache) goes no further.
  const now = Date.now();
  cache.sql(
    `INSERT INTO __cas_uri(uri, blake3, created_at, last_used_at) VALUES (?, ?, ?, ?)`,
    `extension:${TRAVERSAL}`,
    ext.vec9.blake3,
    now,
    now,
  );
  const saved = await cache.cli("bundle", "save", "b", `extension:${TRAVERSAL}`);
  assertCliError(saved, /not a valid extension name/);
  assert.deepEqual(cache.state().bundles, []);

  assert.equal((await cache.cli("bundle", "save", "good", ext.vec9.path)).code, 0);
  cache.sql(`UPDATE __cas_bundle_member SET extension_name = ?`, TRAVERSAL);
  const outside = join(cache.root, "..", "..", "victim.so");
  const launched = await cache.shell(["--bundle", "good", ":memory:", "select 1"]);
  assertShellError(launched, /Cannot load bundle "good": ".*victim" is not a valid extension name/);
  assert.equal(exists(outside), false);
  assert.equal(exists(join(cache.dir, "victim.so")), false);
});

Deno.test("attack: .load of a file whose name is no plain stem is refused before caching", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  for (const file of ["a\\b.so", "tab\there.so", ".hidden.so", "evil:stream.so"]) {
    const path = join(cache.dir, file);
    Deno.copyFileSync(ext.vec9.path, path);
    const result = await cache.script(`.load '${path}'\n`);
    assertShellError(result, /is not a valid extension name/);
  }
  assert.deepEqual(cache.state().artifacts, []);
  assert.deepEqual(tree(join(cache.root, "ext")), []);
});

Deno.test("attack: a library cut short is refused with a message; nothing is cached or materialized", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const cut = join(cache.dir, "vec0.so");
  Deno.writeFileSync(cut, Deno.readFileSync(ext.vec9.path).subarray(0, 1000));
  const loaded = await cache.script(`.load ${cut}\nselect 1;\n`);
  assertShellError(loaded, /it is an ELF 64-bit shared library for x86-64, but truncated/);
  const launched = await cache.shell(["--load", cut, ":memory:", "select 1"]);
  assertShellError(launched, /but truncated/);
  assert.deepEqual(cache.state().artifacts, []);
  assert.deepEqual(tree(join(cache.root, "ext")), []);

  // Already in the cache (put as a plain blob): a bundle of it is refused before dlopen.
  assert.equal((await cache.cli("cas", "put", cut, "--uri", "extension:vec0")).code, 0);
  const saved = await cache.cli("bundle", "save", "b", "extension:vec0");
  assertCliError(saved, /but truncated/);
  assert.deepEqual(tree(join(cache.root, "ext")), []);
});

Deno.test("attack: .load of /dev/zero or a FIFO is one error at once, not a hang", async () => {
  using cache = new TestCache();
  const fifo = join(cache.dir, "pipe.so");
  new Deno.Command("mkfifo", { args: [fifo] }).outputSync();
  for (const path of ["/dev/zero", fifo]) {
    const result = await cache.script(`.load ${path}\n`, ":memory:", [], { timeoutMs: 20_000 });
    assertShellError(result, /is not a regular file/);
    const launched = await cache.shell(["--load", path, ":memory:", "select 1"], {
      timeoutMs: 20_000,
    });
    assertShellError(launched, /is not a regular file/);
  }
  assert.deepEqual(cache.state().artifacts, []);
});

Deno.test("attack: a materialized member rewritten within its stamp's second is hashed, not trusted", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const dir = join(cache.root, "ext", ext.hello.blake3);
  const copy = join(dir, `${ext.hello.name}.so`);
  const pristine = Deno.readFileSync(ext.hello.path);
  for (let attempt = 0;; attempt++) {
    // Saving materializes the member and stamps it.
    if (exists(dir)) Deno.removeSync(dir, { recursive: true });
    const saved = await cache.cli("bundle", "save", "b", ext.hello.path);
    assert.equal(saved.code, 0, saved.stderr);
    // Rewrite it in place and put the modification time back, within the second of its
    // change time: a stamp that trusted whole-second times would not see it.
    const before = Deno.statSync(copy);
    const forged = pristine.slice();
    forged[forged.length - 1] ^= 0xff;
    const file = Deno.openSync(copy, { write: true });
    file.writeSync(forged);
    file.close();
    Deno.utimeSync(copy, before.atime!, before.mtime!);
    if (Deno.statSync(copy).ctime!.getTime() === before.ctime!.getTime()) break;
    assert.ok(attempt < 8, "could not rewrite the copy within one second");
  }
  const launched = await cache.shell(["--bundle", "b", ":memory:", "select hello('b')"]);
  assert.equal(launched.stdout, "hello, b\n", launched.stderr);
  assert.deepEqual(Deno.readFileSync(copy), pristine, "the forged copy was loaded as verified");
});

Deno.test("attack: a symbolic link planted as ext/ or ext/<blake3>/ does not carry a copy outside", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const elsewhere = join(cache.dir, "elsewhere");
  Deno.mkdirSync(elsewhere, { mode: 0o700 });
  Deno.mkdirSync(join(cache.root, "ext"), { recursive: true, mode: 0o700 });
  Deno.symlinkSync(elsewhere, join(cache.root, "ext", ext.hello.blake3));
  const result = await cache.script(`.load ${ext.hello.path}\n`);
  assertShellError(result, /outside the cache/);
  assert.deepEqual(tree(elsewhere), []);
  assert.deepEqual(cache.state().artifacts, []);

  Deno.removeSync(join(cache.root, "ext"), { recursive: true });
  Deno.symlinkSync(elsewhere, join(cache.root, "ext"));
  const linked = await cache.script(`.load ${ext.hello.path}\n`);
  assertShellError(linked, /outside the cache/);
  assert.deepEqual([...Deno.readDirSync(elsewhere)], [], "nothing created through the link");
});
