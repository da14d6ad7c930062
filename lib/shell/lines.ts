/**
 * Sources of input lines for the shell: a file or pipe read as it arrives (so a program
 * driving sqlink through a pipe gets each answer before it sends the next question), and
 * text already in memory (`.read`, `-init`). Lines lose their `\n` or `\r\n`, and end at a
 * NUL byte, as sqlite3's C strings do.
 */

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

/** Lines read synchronously from a file descriptor-like reader, chunk by chunk. */
export function readerLines(reader: { readSync(p: Uint8Array): number | null }): LineSource {
  const decoder = new TextDecoder();
  const chunk = new Uint8Array(64 * 1024);
  let pending = "";
  let ended = false;
  return {
    next() {
      while (true) {
        const nl = pending.indexOf("\n");
        if (nl >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          return cut(line, true);
        }
        if (ended) {
          if (pending === "") return null;
          const last = pending;
          pending = "";
          return cut(last, false);
        }
        const n = reader.readSync(chunk);
        if (n === null || n === 0) {
          ended = true;
          pending += decoder.decode();
        } else {
          pending += decoder.decode(chunk.subarray(0, n), { stream: true });
        }
      }
    },
  };
}
