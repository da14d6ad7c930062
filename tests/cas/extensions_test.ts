/**
 * Real SQLite extension binaries as cas-cache data: two releases of sqlite-vec and a few
 * other extensions from their npm platform packages (scripts/fixtures.ts) are stored,
 * compressed, read back byte-exact, and still load into SQLite after the round trip.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureFixtures, FIXTURES, hostPlatform } from "../../scripts/fixtures.ts";
import { blake3Hex } from "../../lib/cas/hash.ts";
import { CHUNK_BYTES } from "../../lib/cas/write.ts";
import { count, listDir, openStore, tempDir } from "./helpers.ts";

const FIXTURES_SCRIPT = fileURLToPath(new URL("../../scripts/fixtures.ts", import.meta.url));

/** Load `path` into a fresh in-memory database and return `SELECT <sql>`'s single value. */
function loadAndSelect(path: string, sql: string): unknown {
  const db = new DatabaseSync(":memory:", { allowExtension: true });
  try {
    db.loadExtension(path);
    return Object.values(db.prepare(`SELECT ${sql} AS v`).get()!)[0];
  } finally {
    db.close();
  }
}

Deno.test("extensions: two sqlite-vec releases are two artifacts, compressed, exact", async () => {
  const fixtures = await ensureFixtures({ only: ["vec0@0.1.9", "vec0@0.1.6"] });
  const paths = [fixtures["vec0@0.1.9"], fixtures["vec0@0.1.6"]];
  for (const p of paths) assert.ok(p && Deno.statSync(p).isFile, `fixture ${p}`);

  using dir = tempDir();
  using store = openStore(dir.path); // default policy: auto
  const results = paths.map((path, i) =>
    store.putFiles([path], { uri: `extension:vec0@${i === 0 ? "0.1.9" : "0.1.6"}` }).results[0]
  );
  assert.notEqual(results[0].blake3, results[1].blake3, "two releases, two artifacts");
  assert.equal(count(store, "__cas_artifact"), 2);

  for (const [i, path] of paths.entries()) {
    const bytes = Deno.readFileSync(path);
    const put = results[i];
    assert.equal(put.created, true);
    assert.equal(put.blake3, blake3Hex(bytes));
    assert.equal(put.sha256, createHash("sha256").update(bytes).digest("hex"));
    assert.equal(put.size, bytes.length);
    assert.ok(bytes.length > 64 * 1024, "big enough for auto compression");
    assert.equal(put.codec, "zstd", "auto compression picked zstd for a shared library");
    assert.ok(put.storedSize < bytes.length, `stored ${put.storedSize} of ${bytes.length}`);

    const info = store.resolve(`extension:vec0@${i === 0 ? "0.1.9" : "0.1.6"}`);
    assert.equal(info.blake3, put.blake3);
    assert.deepEqual(store.read(info), bytes);
    assert.equal(store.resolve(`sha256:${put.sha256}`).blake3, put.blake3);

    const outDir = join(dir.path, `out${i}`);
    Deno.mkdirSync(outDir);
    const out = join(outDir, basename(path));
    store.exportTo(info, out);
    assert.deepEqual(Deno.readFileSync(out), bytes);
    assert.deepEqual(listDir(outDir), [basename(path)]);

    // The exported copy is still a working extension.
    const version = loadAndSelect(out, "vec_version()");
    assert.equal(version, i === 0 ? "v0.1.9" : "v0.1.6");
  }

  // Putting the same release again adds nothing.
  const again = store.putFiles([paths[0]]).results[0];
  assert.equal(again.created, false);
  assert.equal(count(store, "__cas_artifact"), 2);
  const report = store.verify();
  assert.equal(report.checked, 2);
  assert.deepEqual(report.corrupt, []);
});

Deno.test("extensions: lines0, path0 and regex0 round-trip; the big one is chunked", async () => {
  const fixtures = await ensureFixtures({ only: ["lines0", "path0", "regex0"] });
  const names = Object.keys(fixtures);
  if (names.length === 0) return; // None is published for this platform.
  using dir = tempDir();
  using store = openStore(dir.path);
  for (const name of names) {
    const path = fixtures[name];
    const bytes = Deno.readFileSync(path);
    const put = store.putFiles([path], { uri: `extension:${name}` }).results[0];
    assert.equal(put.blake3, blake3Hex(bytes), name);
    const info = store.info(put.blake3)!;
    assert.equal(
      info.chunks,
      bytes.length > CHUNK_BYTES ? Math.ceil(bytes.length / CHUNK_BYTES) : 0,
    );
    assert.ok(info.storedSize <= bytes.length, name);
    assert.deepEqual(store.read(store.resolve(`extension:${name}`)), bytes, name);
    const out = join(dir.path, basename(path));
    store.exportTo(info, out);
    assert.deepEqual(Deno.readFileSync(out), bytes, name);
  }
  if (fixtures.regex0) {
    const out = join(dir.path, basename(fixtures.regex0));
    assert.equal(loadAndSelect(out, `regexp('^v[0-9]+$', 'v12')`), 1);
  }
  if (fixtures.lines0) {
    const out = join(dir.path, basename(fixtures.lines0));
    assert.equal(loadAndSelect(out, `(SELECT count(*) FROM lines('a' || char(10) || 'b'))`), 2);
  }
  assert.deepEqual(store.verify().corrupt, []);
});

Deno.test("extensions: ensureFixtures is idempotent and safe to run concurrently", async () => {
  using dir = tempDir("sqlink-fixtures-test-");
  // lines0 is small (6 kB packed); on a platform it is not published for, use vec0.
  const lines0 = FIXTURES.find((f) => f.name === "lines0")!;
  const name = lines0.versions[hostPlatform()] ? "lines0" : "vec0@0.1.9";

  // Two processes and two in-process calls at once, into one empty directory.
  const spawn = () =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-run",
        FIXTURES_SCRIPT,
        "--dir",
        dir.path,
        name,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const [p1, p2, c1, c2] = await Promise.all([
    spawn(),
    spawn(),
    ensureFixtures({ dir: dir.path, only: [name] }),
    ensureFixtures({ dir: dir.path, only: [name] }),
  ]);
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  assert.ok(p1.success, decode(p1.stderr));
  assert.ok(p2.success, decode(p2.stderr));
  const path = c1[name];
  assert.equal(c2[name], path);
  assert.deepEqual(JSON.parse(decode(p1.stdout)), { [name]: path });
  assert.deepEqual(JSON.parse(decode(p2.stdout)), { [name]: path });
  assert.ok(path.startsWith(dir.path));
  const entries = listDir(dir.path);
  assert.equal(entries.length, 1, `one package directory, no temp leftovers: ${entries}`);

  // A second run finds the binary and changes nothing.
  const before = Deno.statSync(path);
  const again = await ensureFixtures({ dir: dir.path, only: [name] });
  assert.equal(again[name], path);
  assert.equal(Deno.statSync(path).mtime?.getTime(), before.mtime?.getTime());
  assert.deepEqual(listDir(dir.path), entries);

  await assert.rejects(() => ensureFixtures({ dir: dir.path, only: ["nope"] }), /Unknown fixture/);
});
