/**
 * Sources of input lines for the shell: a file or pipe read as it arrives (so a program
 * driving sqlink through a pipe gets each answer before it sends the next question), and
 * text already in memory (`.read`, `-init`). Lines lose their `\n` or `\r\n`, and end at a
 * NUL byte, as sqlite3's C strings do.
 */

import { rawText } from "./raw_text.ts";

/** A line as sqlite3 reads it: up to a NUL byte, without the `\r` of a `\r\n` ending. */
function cut(line: string, endedWithNewline: boolean): string {
  const nul = line.indexOf("\0");
  if (nul >= 0) return line.slice(0, nul);
  return endedWithNewline && line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** Yields one line at a time, null at the end. */
export interface LineSource {
  next(): string | null | Promise<string | null>;
}

/** Lines of a string. */
export function textLines(text: string): LineSource {
  let at = 0;
  return {
    next() {
      if (at >= text.length) return null;
      const nl = text.indexOf("\n", at);
      const end = nl < 0 ? text.length : nl;
      const line = text.slice(at, end);
      at = nl < 0 ? text.length : nl + 1;
      return cut(line, nl >= 0);
    },
  };
}

/** Lines read synchronously from a file descriptor-like reader, chunk by chunk, bytes kept (see raw_text.ts). */
export function readerLines(reader: { readSync(p: Uint8Array): number | null }): LineSource {
  const CHUNK = 64 * 1024;
  // One buffer that grows by doubling, so a line longer than a chunk costs linear time.
  let buf = new Uint8Array(2 * CHUNK);
  let start = 0, end = 0, scanned = 0;
  let ended = false;
  return {
    next() {
      while (true) {
        const nl = buf.subarray(scanned, end).indexOf(0x0a);
        if (nl >= 0) {
          const at = scanned + nl;
          const line = rawText(buf.subarray(start, at));
          start = scanned = at + 1;
          return cut(line, true);
        }
        scanned = end;
        if (ended) {
          if (start === end) return null;
          const last = rawText(buf.subarray(start, end));
          start = scanned = end;
          return cut(last, false);
        }
        if (end + CHUNK > buf.length) {
          const kept = end - start;
          if (kept + CHUNK > buf.length) {
            const grown = new Uint8Array(2 * (kept + CHUNK));
            grown.set(buf.subarray(start, end));
            buf = grown;
          } else {
            buf.copyWithin(0, start, end);
          }
          start = 0;
          scanned = end = kept;
        }
        const n = reader.readSync(buf.subarray(end, end + CHUNK));
        if (n === null || n === 0) ended = true;
        else end += n;
      }
    },
  };
}
