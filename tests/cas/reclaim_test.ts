/**
 * Eviction gives the space back (SPEC §3.4, lib/cas/reclaim.ts): after `gc` of most of a
 * cache the database file and its WAL shrink, in place for a cache with incremental vacuum,
 * by one rewrite for a file made before it; a put that evicts a large share does the same,
 * one that evicts a little leaves the pages for the next puts.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { CasStore } from "../../lib/cas/store.ts";
import { randomBytes, tempDir, withDb } from "./helpers.ts";
import { runSqlink } from "../helpers/cli.ts";

const BLOB = 256 * 1024;

/** Bytes of the database file and its WAL. */
function onDisk(path: string): number {
  let total = 0;
  for (const file of [path, `${path}-wal`]) {
    try {
      total += Deno.statSync(file).size;
    } catch {
      // No WAL.
    }
  }
  return total;
}

function pragma(path: string, name: string): number {
  return withDb(path, (db) => Number(Object.values(db.prepare(`PRAGMA ${name}`).get()!)[0]));
}

/** Put `count` random blobs of BLOB bytes, each in its own transaction. */
function fill(store: CasStore, count: number): string[] {
  return Array.from({ length: count }, () => store.put(randomBytes(BLOB)).blake3);
}

/**
 * A connection held open for the whole test, as another sqlink process would: without one,
 * closing the store's last connection would checkpoint and delete the WAL by itself.
 */
function bystander(path: string): DatabaseSync & Disposable {
  const db = new DatabaseSync(path);
  db.prepare(`SELECT count(*) FROM __cas_meta`).get();
  return Object.assign(db, { [Symbol.dispose]: () => db.close() });
}

Deno.test("reclaim: gc of most of a new cache shrinks the file and truncates the WAL", () => {
  using dir = tempDir();
  const path = join(dir.path, "cas.sqlite");
  using store = Object.assign(CasStore.open({ path, compress: "none" }), {
    [Symbol.dispose]() {},
  });
  using _other = bystander(path);
  assert.equal(pragma(path, "auto_vacuum"), 2, "a new cache uses incremental vacuum");
  const keys = fill(store, 40);
  const before = onDisk(path);
  assert.ok(before > 40 * BLOB, `${before}`);

  const report = store.gc(4 * BLOB);
  assert.equal(report.evicted.length, 36);
  assert.equal(report.reclaim.vacuum, "incremental");
  assert.equal(report.reclaim.beforeBytes, before);
  const after = onDisk(path);
  assert.equal(report.reclaim.afterBytes, after);
  assert.ok(after < before / 4, `file and WAL ${before} -> ${after} bytes`);
  assert.equal(Deno.statSync(`${path}-wal`).size, 0, "the WAL was checkpointed and truncated");
  assert.equal(pragma(path, "freelist_count"), 0);

  // What is left reads back intact, and the cache goes on working.
  for (const key of keys.slice(-4)) assert.equal(store.readKey(key).length, BLOB);
  assert.deepEqual(store.verify().corrupt, []);
  fill(store, 2);
  assert.equal(store.stats().artifacts, 6);
  store.close();
});

Deno.test("reclaim: gc rewrites a cache made before incremental vacuum once, then cuts in place", () => {
  using dir = tempDir();
  const path = join(dir.path, "cas.sqlite");
  // A cache as schema 3 created them: no auto_vacuum.
  withDb(path, (db) => db.exec(`PRAGMA page_size = 65536; PRAGMA journal_mode = WAL`));
  const store = CasStore.open({ path, compress: "none" });
  try {
    using _other = bystander(path);
    assert.equal(pragma(path, "auto_vacuum"), 0);
    fill(store, 30);
    const before = onDisk(path);
    const first = store.gc(3 * BLOB);
    assert.equal(first.reclaim.vacuum, "full");
    assert.ok(onDisk(path) < before / 4, `${before} -> ${onDisk(path)}`);
    assert.equal(pragma(path, "auto_vacuum"), 2, "the rewrite switched it to incremental");

    fill(store, 20);
    const again = onDisk(path);
    const second = store.gc(3 * BLOB);
    assert.equal(second.reclaim.vacuum, "incremental");
    assert.ok(onDisk(path) < again / 4, `${again} -> ${onDisk(path)}`);
    assert.deepEqual(store.verify().corrupt, []);
  } finally {
    store.close();
  }
});

Deno.test("reclaim: a reader on an old snapshot keeps the WAL, and gc does not wait for it", () => {
  using dir = tempDir();
  const path = join(dir.path, "cas.sqlite");
  const store = CasStore.open({ path, compress: "none" });
  try {
    fill(store, 20);
    using reader = bystander(path);
    reader.exec("BEGIN");
    reader.prepare(`SELECT count(*) FROM __cas_artifact`).get();
    const started = performance.now();
    const report = store.gc(2 * BLOB);
    assert.ok(performance.now() - started < 5000, "gc waited for the reader");
    assert.equal(report.evicted.length, 18);
    assert.ok(Deno.statSync(`${path}-wal`).size > 0, "the reader's snapshot is still in the WAL");
    reader.exec("COMMIT");
    store.gc(2 * BLOB);
    assert.equal(Deno.statSync(`${path}-wal`).size, 0, "the next gc truncates it");
    assert.deepEqual(store.verify().corrupt, []);
  } finally {
    store.close();
  }
});

Deno.test("reclaim: gc that frees nothing leaves the file alone", () => {
  using dir = tempDir();
  const path = join(dir.path, "cas.sqlite");
  const store = CasStore.open({ path, compress: "none" });
  try {
    fill(store, 3);
    const report = store.gc(100 * BLOB);
    assert.equal(report.evicted.length, 0);
    assert.equal(report.reclaim.vacuum, "none");
  } finally {
    store.close();
  }
});

Deno.test("reclaim: a put that evicts a large share shrinks the file, one that evicts a little does not", () => {
  using dir = tempDir();
  const path = join(dir.path, "cas.sqlite");
  const big = CasStore.open({ path, compress: "none", maxBytes: 1024 ** 3 });
  fill(big, 30);
  big.close();
  using _other = bystander(path);
  const store = CasStore.open({ path, compress: "none", maxBytes: 5 * BLOB });
  try {
    // Under a lower cap, one put evicts most of the cache: the space goes back at once.
    const before = onDisk(path);
    const lowered = store.putMany([{ bytes: randomBytes(BLOB) }]);
    assert.equal(lowered.eviction?.evicted.length, 26);
    assert.ok(onDisk(path) < before / 3, `${before} -> ${onDisk(path)}`);
    assert.equal(pragma(path, "freelist_count"), 0);

    // At the cap, each put evicts one blob: its pages stay free for the next put.
    const steady = store.putMany([{ bytes: randomBytes(BLOB) }]);
    assert.equal(steady.eviction?.evicted.length, 1);
    assert.ok(pragma(path, "freelist_count") > 0);
    assert.equal(store.stats().artifacts, 5);
  } finally {
    store.close();
  }
});

Deno.test("reclaim: sqlink cas leaves no WAL behind, and cas gc says how much it gave back", async () => {
  using dir = tempDir();
  const env = {
    SQLINK_CACHE_DIR: join(dir.path, "cache"),
    SQLINK_CAS: "",
    SQLINK_CAS_MAX_BYTES: "",
  };
  const files = Array.from({ length: 12 }, (_, i) => {
    const file = join(dir.path, `f${i}.bin`);
    Deno.writeFileSync(file, randomBytes(BLOB));
    return file;
  });
  const put = await runSqlink(["cas", "put", ...files], { env });
  assert.equal(put.code, 0, put.stderr);
  // The command closed the cache on its way out: the WAL was checkpointed and removed.
  const cas = join(dir.path, "cache", "cas.sqlite");
  assert.throws(() => Deno.statSync(`${cas}-wal`), Deno.errors.NotFound);
  assert.ok(Deno.statSync(cas).size > 12 * BLOB);
  const gc = await runSqlink(["cas", "gc", "--max-bytes", "1MiB"], { env });
  assert.equal(gc.code, 0, gc.stderr);
  assert.match(
    gc.stdout,
    /^evicted 8 artifact\(s\), freed 2\.0 MiB; .*\ngave [0-9.]+ [KM]iB back to the disk \(cache file and WAL: [0-9.]+ MiB -> [0-9.]+ [KM]iB\)\n$/,
  );
  const json = JSON.parse(
    (await runSqlink(["cas", "gc", "--max-bytes", "1MiB", "--json"], { env })).stdout,
  );
  assert.equal(json.reclaim.vacuum, "none", "nothing more to give back");
});
