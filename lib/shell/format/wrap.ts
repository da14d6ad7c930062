/**
 * sqlite3 3.40's `translateForDisplayAndDup`: the first display line of a value in the
 * columnar modes. Widths count characters (UTF-8 lead bytes), not terminal cells, so wide
 * CJK and emoji count as one, exactly as 3.40 counts them.
 */

/** One display line and what is left for the next (null when nothing is). */
export interface DisplayLine {
  line: Uint8Array;
  tail: Uint8Array | null;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * Split off the first line of `z`: it ends at a control character (`\r\n` counts as one),
 * or after `maxWidth` characters (0 = no limit), backing up to a word boundary when
 * `wordWrap`. Tabs expand to the next multiple of 8; other control characters end the line
 * and are dropped.
 */
export function displayLine(z: Uint8Array, maxWidth: number, wordWrap: boolean): DisplayLine {
  const at = (i: number) => (i < z.length ? z[i] : 0);
  let mx = Math.abs(maxWidth);
  if (mx === 0) mx = 1000000;
  let i = 0;
  let n = 0;
  while (n < mx) {
    const c = at(i);
    if (c >= 0x20) {
      n++;
      do i++; while ((at(i) & 0xc0) === 0x80);
      continue;
    }
    if (c === 0x09) {
      do n++; while ((n & 7) !== 0 && n < mx);
      i++;
      continue;
    }
    break;
  }
  let k = i;
  if (n >= mx && wordWrap) {
    const half = Math.trunc(i / 2);
    for (k = i; k > half; k--) if (isSpace(at(k - 1))) break;
    if (k <= half) {
      for (k = i; k > half; k--) {
        if (isAlnum(at(k - 1)) !== isAlnum(at(k)) && (at(k) & 0xc0) !== 0x80) break;
      }
    }
    if (k <= half) {
      k = i;
    } else {
      i = k;
      while (at(i) === 0x20) i++;
    }
  }
  let tail: Uint8Array | null;
  if (n >= mx && at(i) >= 0x20) tail = z.subarray(i);
  else if (at(i) === 0x0d && at(i + 1) === 0x0a) tail = at(i + 2) ? z.subarray(i + 2) : null;
  else if (at(i) === 0 || at(i + 1) === 0) tail = null;
  else tail = z.subarray(i + 1);
  return { line: expand(z, k, mx), tail };
}

/** The bytes before `end` with tabs expanded, as the second pass of the C code copies them. */
function expand(z: Uint8Array, end: number, mx: number): Uint8Array {
  const out: number[] = [];
  let i = 0;
  let n = 0;
  while (i < end) {
    const c = z[i];
    if (c >= 0x20) {
      n++;
      do out.push(z[i++]); while (i < z.length && (z[i] & 0xc0) === 0x80);
      continue;
    }
    if (c === 0x09) {
      do {
        n++;
        out.push(0x20);
      } while ((n & 7) !== 0 && n < mx);
      i++;
      continue;
    }
    break;
  }
  return Uint8Array.from(out);
}
