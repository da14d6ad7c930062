/** Random test data: blobs in memory, big blobs as files, and the checks on what came back. */
import { readFull } from "../../lib/fs.ts";

/** crypto.getRandomValues fills at most 64 KiB per call. */
const SLICE = 64 * 1024;

/** Fill `bytes` with random data, 64 KiB at a time. */
export function fillRandom(bytes: Uint8Array): Uint8Array {
  for (let at = 0; at < bytes.length; at += SLICE) {
    crypto.getRandomValues(bytes.subarray(at, at + SLICE));
  }
  return bytes;
}

/** `count` independent random blobs of `size` bytes. */
export function randomBlobs(count: number, size: number): Uint8Array[] {
  return Array.from({ length: count }, () => fillRandom(new Uint8Array(size)));
}

/** Write `size` random bytes to `path` without ever holding more than 1 MiB of them. */
export function writeRandomFile(path: string, size: number): void {
  const buf = new Uint8Array(1024 * 1024);
  using file = Deno.openSync(path, { write: true, createNew: true });
  for (let left = size; left > 0;) {
    const piece = fillRandom(buf).subarray(0, Math.min(left, buf.length));
    for (let at = 0; at < piece.length;) at += file.writeSync(piece.subarray(at));
    left -= piece.length;
  }
}

/**
 * The cheap check done on every blob that comes back (inside the timed loop, the same for
 * every implementation): length and a few bytes at both ends. Every 64th blob is compared
 * in full.
 */
export function checkBlob(i: number, expected: Uint8Array, got: Uint8Array): void {
  const n = expected.length;
  let ok = got.length === n && got[0] === expected[0] && got[n - 1] === expected[n - 1] &&
    got[n >> 1] === expected[n >> 1];
  if (ok && i % 64 === 0) ok = sameBytes(expected, got);
  if (!ok) throw new Error(`blob ${i} came back different from what was put`);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throw unless the two files hold the same bytes (streamed, 1 MiB at a time; untimed). */
export function assertSameFile(expectedPath: string, gotPath: string): void {
  using a = Deno.openSync(expectedPath);
  using b = Deno.openSync(gotPath);
  const bufA = new Uint8Array(1024 * 1024);
  const bufB = new Uint8Array(1024 * 1024);
  for (let offset = 0;;) {
    const n = readFull(a, bufA);
    const m = readFull(b, bufB);
    if (n !== m || !sameBytes(bufA.subarray(0, n), bufB.subarray(0, m))) {
      throw new Error(`${gotPath} differs from ${expectedPath} near byte ${offset}`);
    }
    if (n < bufA.length) return;
    offset += n;
  }
}
