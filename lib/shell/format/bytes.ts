/**
 * Bytes, not JavaScript strings, are what sqlite3 prints: blobs go out raw, a NUL ends a
 * value the way a C string ends, and widths count UTF-8 lead bytes. This module holds the
 * byte-level pieces the formatters share.
 */

const encoder = new TextEncoder();

/** A growable byte buffer that output is assembled in before it goes to a sink. */
export class ByteWriter {
  #buf = new Uint8Array(256);
  #len = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  /** Append text, UTF-8 encoded. */
  text(s: string): this {
    // Worst case three bytes per UTF-16 code unit.
    this.#reserve(s.length * 3);
    this.#len += encoder.encodeInto(s, this.#buf.subarray(this.#len)).written;
    return this;
  }

  /** Append raw bytes. */
  bytes(b: Uint8Array): this {
    this.#reserve(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }

  /** Append one byte. */
  byte(c: number): this {
    this.#reserve(1);
    this.#buf[this.#len++] = c;
    return this;
  }

  /** Append `n` copies of byte `c` (padding). */
  repeat(c: number, n: number): this {
    if (n <= 0) return this;
    this.#reserve(n);
    this.#buf.fill(c, this.#len, this.#len + n);
    this.#len += n;
    return this;
  }

  /** A copy of everything written, leaving the writer empty. */
  take(): Uint8Array {
    const out = this.#buf.slice(0, this.#len);
    this.#len = 0;
    return out;
  }
}

/** UTF-8 bytes of `s`. */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** `z` up to its first NUL byte: what C code sees of it through a `char*`. */
export function cString(z: Uint8Array): Uint8Array {
  const nul = z.indexOf(0);
  return nul < 0 ? z : z.subarray(0, nul);
}

/** UTF-8 bytes of `s`, cut at the first NUL as sqlite3's `%s` would cut it. */
export function cText(s: string): Uint8Array {
  return cString(encoder.encode(s));
}

/** sqlite3's `strlenChar`: characters counted as bytes that are not UTF-8 continuations. */
export function charLength(z: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < z.length; i++) if ((z[i] & 0xc0) !== 0x80) n++;
  return n;
}

/** Index of `needle` in `hay` (0 for an empty needle, as C's strstr), or -1. */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  if (needle.length === 0) return 0;
  const first = needle[0];
  const last = hay.length - needle.length;
  outer: for (let i = hay.indexOf(first); i >= 0 && i <= last; i = hay.indexOf(first, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
