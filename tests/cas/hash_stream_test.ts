/**
 * Streamed hashing of big blobs (lib/cas/blake3_parallel.ts, lib/cas/file_put.ts): the
 * BLAKE3 computed on a worker, or on this thread, in pieces of any size, is the standard
 * BLAKE3 of the whole input, checked against the reference b3sum and sha256sum for sizes
 * around BLAKE3's 1 KiB chunks, the cas-cache's 1 MiB chunks and the worker's ring.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { blake3Stream, PARALLEL_MIN_BYTES } from "../../lib/cas/blake3_parallel.ts";
import { SLOTS } from "../../lib/cas/blake3_ring.ts";
import { blake3Hex } from "../../lib/cas/hash.ts";
import { openStore, randomBytes, tempDir } from "./helpers.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

/** The official test vectors' input: byte i is i % 251. */
function pattern(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = i % 251;
  return bytes;
}

/** The first word of `tool`'s output for `file` (b3sum and sha256sum print `HEX  NAME`). */
function reference(tool: string, file: string): string {
  const out = new Deno.Command(tool, { args: [file], stdout: "piped" }).outputSync();
  assert.ok(out.success, `${tool} failed`);
  return new TextDecoder().decode(out.stdout).split(/\s+/)[0];
}

function streamed(bytes: Uint8Array, piece: number, worker: boolean): string {
  const stream = blake3Stream(bytes.length, { worker });
  for (let at = 0; at < bytes.length; at += piece) stream.update(bytes.subarray(at, at + piece));
  return stream.digest();
}

Deno.test("hash stream: BLAKE3 of the empty input and of one byte match the published vectors", () => {
  for (const worker of [false, true]) {
    assert.equal(
      streamed(new Uint8Array(0), 1, worker),
      "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
    );
    assert.equal(
      streamed(pattern(1), 1, worker),
      "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213",
    );
  }
});

Deno.test("hash stream: worker and thread agree with b3sum around every chunk boundary", () => {
  using dir = tempDir();
  const ring = SLOTS * MiB;
  const sizes = [
    1023,
    1024,
    1025,
    MiB - 1,
    MiB,
    MiB + 1,
    2 * MiB + 1023,
    ring - 1,
    ring,
    ring + 1,
    ring + MiB + 1025,
    3 * ring + 7,
  ];
  for (const size of sizes) {
    const bytes = randomBytes(size);
    const file = join(dir.path, "blob");
    Deno.writeFileSync(file, bytes);
    const expected = reference("b3sum", file);
    assert.equal(blake3Hex(bytes), expected, `one-shot, ${size} bytes`);
    // Pieces smaller than, equal to and bigger than a ring slot; an odd size that never aligns.
    const pieces = size <= 3 * MiB ? [64 * KiB, MiB, 3 * MiB, 1000 * KiB + 13] : [MiB, 3 * MiB + 5];
    for (const piece of pieces) {
      assert.equal(streamed(bytes, piece, true), expected, `worker, ${size} in ${piece}`);
    }
    assert.equal(streamed(bytes, MiB, false), expected, `thread, ${size}`);
  }
});

Deno.test("hash stream: a big stream runs on the worker, a small one on this thread", () => {
  const big = blake3Stream(PARALLEL_MIN_BYTES);
  assert.equal(big.where, "worker");
  big.update(pattern(10));
  assert.equal(big.digest(), blake3Hex(pattern(10)));
  const small = blake3Stream(PARALLEL_MIN_BYTES - 1);
  assert.equal(small.where, "thread");
  small.abort();
  const aborted = blake3Stream(PARALLEL_MIN_BYTES);
  aborted.update(pattern(3 * MiB));
  aborted.abort(); // the worker is ended: nothing is left running (the test's sanitizers check)
});

Deno.test("hash stream: a big file put keys it by b3sum's BLAKE3 and sha256sum's SHA-256", () => {
  using dir = tempDir();
  using store = openStore(dir.path, { compress: "none" });
  for (const size of [MiB + 1, PARALLEL_MIN_BYTES, PARALLEL_MIN_BYTES + MiB - 1]) {
    const file = join(dir.path, `blob${size}`);
    Deno.writeFileSync(file, randomBytes(size));
    const put = store.putFiles([file]).results[0];
    assert.equal(put.blake3, reference("b3sum", file), `${size} bytes`);
    assert.equal(put.sha256, reference("sha256sum", file), `${size} bytes`);
    assert.equal(put.size, size);
    assert.equal(store.info(put.blake3)!.chunks, Math.ceil(size / MiB));
    assert.equal(
      store.db.prepare(`SELECT count(*) AS n FROM __cas_chunk WHERE blake3 LIKE '~%'`)
        .get()!.n,
      0,
      "no provisional key is left",
    );
    const out = join(dir.path, `out${size}`);
    store.exportTo(store.info(put.blake3)!, out);
    assert.equal(reference("b3sum", out), put.blake3);
  }
  assert.deepEqual(store.verify().corrupt, []);
});
