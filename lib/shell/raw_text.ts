/**
 * Input text that keeps its bytes. sqlite3 reads its input as bytes and hands them on
 * untouched (`.print` of a Latin-1 byte prints that byte, SQL gets it inside a string
 * literal), where a `TextDecoder` would turn each invalid UTF-8 byte into U+FFFD for good.
 * Here an invalid byte 0x80–0xFF becomes the lone low surrogate U+DC80–U+DCFF (no valid
 * UTF-8 decodes to a lone surrogate), and `rawBytes` turns it back into that byte.
 */

const strict = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();
const ESCAPED = /[\uDC80-\uDCFF]/;

/** `bytes` as text, each byte of an invalid UTF-8 sequence kept as U+DC80 + (byte - 0x80). */
export function rawText(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    return escapeInvalid(bytes);
  }
}

/** The bytes `text` came from: UTF-8, with escaped bytes (see `rawText`) as themselves. */
export function rawBytes(text: string): Uint8Array<ArrayBuffer> {
  if (!ESCAPED.test(text)) return encoder.encode(text) as Uint8Array<ArrayBuffer>;
  const out = new Uint8Array(text.length * 3);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xdc80 && unit <= 0xdcff) {
      out[n++] = unit - 0xdc00;
      continue;
    }
    // A surrogate pair (a character above U+FFFF) or any other unit: UTF-8 as usual.
    const pair = unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length;
    const piece = pair ? text.slice(i, i + 2) : text[i];
    if (pair) i++;
    n += encoder.encodeInto(piece, out.subarray(n)).written;
  }
  return out.slice(0, n);
}

/** The slow path of `rawText`: decode by hand, escaping each byte no sequence accepts. */
function escapeInvalid(bytes: Uint8Array): string {
  const units: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length === 0) {
      const b = bytes[i++];
      units.push(b < 0x80 ? b : 0xdc00 + b);
      continue;
    }
    const cp = length === 1 ? bytes[i] : decodeSequence(bytes, i, length);
    if (cp > 0xffff) units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    else units.push(cp);
    i += length;
  }
  let text = "";
  for (let at = 0; at < units.length; at += 8192) {
    text += String.fromCharCode(...units.slice(at, at + 8192));
  }
  return text;
}

/** The length of the valid UTF-8 sequence at `i` (WHATWG's ranges), or 0 if there is none. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i];
  if (b < 0x80) return 1;
  let length: number, low = 0x80, high = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) length = 2;
  else if (b >= 0xe0 && b <= 0xef) {
    length = 3;
    if (b === 0xe0) low = 0xa0;
    if (b === 0xed) high = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    length = 4;
    if (b === 0xf0) low = 0x90;
    if (b === 0xf4) high = 0x8f;
  } else return 0;
  if (i + length > bytes.length) return 0;
  const second = bytes[i + 1];
  if (second < low || second > high) return 0;
  for (let k = 2; k < length; k++) {
    if ((bytes[i + k] & 0xc0) !== 0x80) return 0;
  }
  return length;
}

function decodeSequence(bytes: Uint8Array, i: number, length: number): number {
  let cp = bytes[i] & (0xff >> (length + 1));
  for (let k = 1; k < length; k++) cp = (cp << 6) | (bytes[i + k] & 0x3f);
  return cp;
}
