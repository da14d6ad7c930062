/** Moving text between JavaScript and C: UTF-8, NUL-terminated, read by length. */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `text` as UTF-8 with a terminating NUL, for a `const char *` parameter. */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(text.length * 3 + 1);
  const { written } = encoder.encodeInto(text, bytes);
  return bytes.subarray(0, written + 1);
}

/** `text` as UTF-8 without a terminator. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text) as Uint8Array<ArrayBuffer>;
}

/** The NUL-terminated string at `pointer`, or null for a null pointer. */
export function readCString(pointer: Deno.PointerValue): string | null {
  return pointer === null ? null : Deno.UnsafePointerView.getCString(pointer);
}

/** `length` bytes at `pointer` decoded as UTF-8 (invalid sequences as U+FFFD). */
export function readText(pointer: Deno.PointerValue, length: number): string {
  if (pointer === null || length === 0) return "";
  return decoder.decode(new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(pointer, length)));
}

/** A copy of the `length` bytes at `pointer`. */
export function readBytes(pointer: Deno.PointerValue, length: number): Uint8Array {
  if (pointer === null || length === 0) return new Uint8Array(0);
  return new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(pointer, length).slice(0));
}

let transient: Deno.PointerValue | undefined;

/**
 * SQLITE_TRANSIENT: SQLite copies the bytes before the call returns. Made on first use:
 * any FFI call needs --allow-ffi, which a process without it must hear about in words.
 */
export function TRANSIENT(): Deno.PointerValue {
  transient ??= Deno.UnsafePointer.create(0xffffffffffffffffn);
  return transient;
}
