/**
 * Big artifacts (SPEC §3, lib/cas/write.ts): blobs over 1 MiB are stored as numbered
 * `__cas_chunk` rows, whether put from memory or streamed from a file, and read back
 * byte-exact through read, emit and exportTo.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { CHUNK_BYTES, putFile } from "../../lib/cas/write.ts";
import { blake3Hex } from "../../lib/cas/hash.ts";
import {
  count,
  flipped,
  listDir,
  openStore,
  randomBytes,
  tempDir,
  throwsCode,
  utf8,
} from "./helpers.ts";

const MiB = 1024 * 1024;

function chunkSizes(store: ReturnType<typeof openStore>, blake3: string): number[] {
  return store.db.prepare(
    `SELECT length(data) AS n FROM __cas_chunk WHERE blake3 = ? ORDER BY seq`,
  ).all(blake3).map((row) => Number(row.n));
}

Deno.test("big: a 5 MiB + 3 byte file put from disk is chunked and round-trips exactly", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  assert.equal(CHUNK_BYTES, MiB);
  const bytes = randomBytes(5 * MiB + 3);
  const file = join(dir.path, "big.so");
  Deno.writeFileSync(file, bytes);

  const outcome = store.putFiles([file], { uri: "file:///big.so" });
  assert.equal(outcome.eviction, undefined);
  const put = outcome.results[0];
  assert.equal(put.created, true);
  assert.equal(put.size, bytes.length);
  assert.equal(put.blake3, blake3Hex(bytes));
  assert.equal(put.sha256, createHash("sha256").update(bytes).digest("hex"));
  assert.equal(put.codec, "raw", "random bytes are not worth compressing");
  assert.equal(put.storedSize, bytes.length);
  assert.equal(put.uri, "file:///big.so");

  const info = store.info(put.blake3)!;
  assert.equal(info.chunks, 6);
  assert.equal(info.size, bytes.length);
  assert.equal(count(store, "__cas_chunk", "blake3 = ?", put.blake3), 6);
  assert.deepEqual(chunkSizes(store, put.blake3), [MiB, MiB, MiB, MiB, MiB, 3]);
  const row = store.db.prepare(`SELECT data FROM __cas_artifact WHERE blake3 = ?`).get(put.blake3);
  assert.equal(row!.data, null, "no inline copy of a chunked blob");

  assert.deepEqual(store.read(store.resolve("file:///big.so")), bytes);
  assert.deepEqual(store.readKey(put.blake3), bytes);
  const out = join(dir.path, "out", "big.so");
  Deno.mkdirSync(join(dir.path, "out"));
  store.exportTo(info, out);
  assert.deepEqual(Deno.readFileSync(out), bytes);
  assert.deepEqual(listDir(join(dir.path, "out")), ["big.so"], "no temp file left behind");

  const pieces: Uint8Array[] = [];
  store.emit(info, (piece) => pieces.push(piece.slice()));
  assert.equal(pieces.length, 6, "emit streams one chunk at a time");
  const joined = new Uint8Array(bytes.length);
  let at = 0;
  for (const p of pieces) {
    joined.set(p, at);
    at += p.length;
  }
  assert.deepEqual(joined, bytes);

  // The same bytes again, from the file or from memory: no new rows.
  const again = store.putFiles([file]).results[0];
  assert.equal(again.created, false);
  assert.equal(again.blake3, put.blake3);
  const fromMemory = store.put(bytes);
  assert.equal(fromMemory.created, false);
  assert.equal(count(store, "__cas_chunk"), 6);
  assert.equal(count(store, "__cas_artifact"), 1);
  assert.deepEqual(store.verify().corrupt, []);
});

Deno.test("big: the same big bytes put from memory first are found by a later file put", () => {
  using dir = tempDir();
  using store = openStore(dir.path, { compress: "none" });
  const bytes = randomBytes(3 * MiB + 5);
  const put = store.put(bytes, { uri: "extension:mem" });
  assert.equal(store.info(put.blake3)!.chunks, 4);
  assert.deepEqual(chunkSizes(store, put.blake3), [MiB, MiB, MiB, 5]);
  const file = join(dir.path, "same.bin");
  Deno.writeFileSync(file, bytes);
  const viaFile = store.putFiles([file]).results[0];
  assert.equal(viaFile.blake3, put.blake3);
  assert.equal(viaFile.created, false);
  assert.deepEqual(store.read(store.resolve("extension:mem")), bytes);
});

Deno.test("big: the inline/chunked boundary is exactly 1 MiB", () => {
  using dir = tempDir();
  using store = openStore(dir.path, { compress: "none" });
  for (const [size, chunks] of [[MiB - 1, 0], [MiB, 0], [MiB + 1, 2], [2 * MiB, 2]] as const) {
    const bytes = randomBytes(size);
    const file = join(dir.path, `f${size}`);
    Deno.writeFileSync(file, bytes);
    const fromFile = store.putFiles([file]).results[0];
    assert.equal(store.info(fromFile.blake3)!.chunks, chunks, `file of ${size} bytes`);
    assert.deepEqual(store.read(store.info(fromFile.blake3)!), bytes);
    // The in-memory path stores the same layout.
    const memBytes = randomBytes(size);
    const fromMemory = store.put(memBytes);
    assert.equal(store.info(fromMemory.blake3)!.chunks, chunks, `memory blob of ${size} bytes`);
    assert.deepEqual(store.read(store.info(fromMemory.blake3)!), memBytes);
  }
});

Deno.test("big: a compressible big file is stored as zstd chunks and round-trips", () => {
  using dir = tempDir();
  using store = openStore(dir.path); // auto policy
  const line = utf8("SELECT * FROM vec_each(?) -- a long, very compressible line of text\n");
  const bytes = new Uint8Array(4 * MiB + 100);
  for (let at = 0; at < bytes.length; at += line.length) {
    bytes.set(line.subarray(0, bytes.length - at), at);
  }
  const file = join(dir.path, "text.bin");
  Deno.writeFileSync(file, bytes);
  const put = store.putFiles([file]).results[0];
  assert.equal(put.codec, "zstd");
  assert.ok(put.storedSize < bytes.length / 10, `${put.storedSize} of ${bytes.length}`);
  const info = store.info(put.blake3)!;
  assert.equal(info.chunks, 5);
  assert.equal(info.storedSize, put.storedSize);
  // auto compresses each chunk on its own: the 100-byte tail is below its 64 KiB floor.
  assert.equal(count(store, "__cas_chunk", "blake3 = ? AND codec = 'zstd'", put.blake3), 4);
  assert.equal(count(store, "__cas_chunk", "blake3 = ? AND codec = 'raw'", put.blake3), 1);
  const out = join(dir.path, "text.out");
  store.exportTo(info, out);
  assert.deepEqual(Deno.readFileSync(out), bytes);
  assert.deepEqual(store.read(info), bytes);
  assert.equal(store.stats().storedBytes, put.storedSize);
  assert.equal(store.stats().rawBytes, bytes.length);
});

Deno.test("big: putFiles of several files stores each and binds nothing extra", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  const files = [randomBytes(10), randomBytes(2 * MiB), randomBytes(MiB + 7)].map((b, i) => {
    const path = join(dir.path, `f${i}`);
    Deno.writeFileSync(path, b);
    return { path, bytes: b };
  });
  const outcome = store.putFiles(files.map((f) => f.path));
  assert.equal(outcome.results.length, 3);
  outcome.results.forEach((r, i) => {
    assert.equal(r.blake3, blake3Hex(files[i].bytes));
    assert.deepEqual(store.read(store.info(r.blake3)!), files[i].bytes);
  });
  assert.equal(count(store, "__cas_uri"), 0);
});

Deno.test("big: bad input paths are clear errors and store nothing", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  throwsCode(() => store.putFiles([join(dir.path, "missing.so")]), "ENOENT");
  throwsCode(() => store.putFiles([dir.path]), "EISDIR");
  assert.equal(count(store, "__cas_artifact"), 0);
});

Deno.test("big: exportTo a missing directory or onto a directory fails cleanly", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  const put = store.put(randomBytes(MiB + 1));
  const info = store.info(put.blake3)!;
  throwsCode(() => store.exportTo(info, join(dir.path, "no", "such", "dir.so")), "ENOENT");
  const target = join(dir.path, "target");
  Deno.mkdirSync(target);
  Deno.writeFileSync(join(target, "inside"), utf8("keep"));
  let caught: unknown;
  try {
    store.exportTo(info, target);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, "exporting onto a non-empty directory must fail");
  assert.deepEqual(listDir(target), ["inside"]);
  assert.deepEqual(
    listDir(dir.path).filter((n) => n.endsWith(".tmp")),
    [],
    "no temp file is left beside the target",
  );
});

Deno.test("big: the same big file put through two connections lands once", () => {
  // (A file modified between hashing and storing is hard to time from a test: not covered.)
  using dir = tempDir();
  using a = openStore(dir.path);
  using b = openStore(dir.path);
  const bytes = randomBytes(2 * MiB + 1);
  const file = join(dir.path, "shared.so");
  Deno.writeFileSync(file, bytes);
  const first = a.putFiles([file]).results[0];
  const second = b.putFiles([file]).results[0];
  assert.equal(first.created, true);
  assert.equal(second.created, false);
  assert.equal(count(a, "__cas_chunk"), 3);
  assert.deepEqual(b.read(b.info(first.blake3)!), bytes);
});

Deno.test("big: a file that changes while it is being put is refused, and stores nothing", () => {
  using dir = tempDir();
  using store = openStore(dir.path, { compress: "none" });
  const bytes = randomBytes(3 * MiB + 5);
  const file = join(dir.path, "moving.so");
  const changes: Array<[string, (b: Uint8Array) => Uint8Array]> = [
    ["a byte in the middle chunk", (b) => flipped(b, MiB + 7)],
    ["a byte in the last, short chunk", (b) => flipped(b, 3 * MiB + 4)],
    ["a byte in the first chunk, already stored", (b) => flipped(b, 3)],
    ["one more chunk", (b) => new Uint8Array([...b, ...randomBytes(MiB)])],
    ["one byte more", (b) => new Uint8Array([...b, 1])],
    ["cut to two chunks", (b) => b.subarray(0, 2 * MiB)],
  ];
  const past = new Date(Date.now() - 3_600_000);
  for (const [what, change] of changes) {
    Deno.writeFileSync(file, bytes);
    // An old modification time, so that the change below moves it whatever the clock's grain.
    Deno.utimeSync(file, past, past);
    // Changed once the first piece is stored, while the put reads the rest.
    let changed = false;
    const progress = () => {
      if (changed) return;
      changed = true;
      Deno.writeFileSync(file, change(bytes));
    };
    const run = <T>(fn: () => T): T => store.write(fn);
    const err = throwsCode(
      () => putFile(store.db, file, "file:///moving.so", "none", run, progress),
      "ECHANGED",
    );
    assert.match(err.message, /changed while it was being stored/, what);
    assert.equal(count(store, "__cas_artifact"), 0, what);
    assert.equal(count(store, "__cas_chunk"), 0, what);
    assert.equal(count(store, "__cas_uri"), 0, what);
  }
  // Changed before the put opens it: what is stored is what was read, under its own key.
  Deno.writeFileSync(file, bytes);
  const changedBefore = flipped(bytes, 2 * MiB);
  const before = <T>(fn: () => T): T => {
    Deno.writeFileSync(file, changedBefore);
    return store.write(fn);
  };
  const put = putFile(store.db, file, undefined, "none", before);
  assert.equal(put.blake3, blake3Hex(changedBefore));
  assert.deepEqual(store.readKey(put.blake3), changedBefore);
  assert.deepEqual(store.verify().corrupt, []);
});
