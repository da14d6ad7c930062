/**
 * Where the shell writes: standard output, standard error, or a file named by `.output`
 * and `.once`. Writes are synchronous and buffered; `flush` hands the buffer on.
 */
export interface Sink {
  /** Queue text (UTF-8 encoded) or raw bytes (a blob printed as-is). */
  write(chunk: string | Uint8Array): void;
  /** Hand everything queued to the underlying file. */
  flush(): void;
  /** Flush and release the file (a no-op for standard output and error). */
  close(): void;
}

const FLUSH_AT = 64 * 1024;

/** A buffered sink over anything with `writeSync` (a `Deno.FsFile`, `Deno.stdout`). */
export function fileSink(
  file: { writeSync(p: Uint8Array): number; close?(): void },
  options: { owned?: boolean; unbuffered?: boolean } = {},
): Sink {
  const encoder = new TextEncoder();
  let parts: Uint8Array[] = [];
  let size = 0;
  const flush = () => {
    if (size === 0) return;
    const all = parts.length === 1 ? parts[0] : concat(parts, size);
    parts = [];
    size = 0;
    let done = 0;
    while (done < all.length) done += file.writeSync(all.subarray(done));
  };
  return {
    write(chunk) {
      const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
      parts.push(bytes);
      size += bytes.length;
      if (size >= FLUSH_AT || options.unbuffered) flush();
    },
    flush,
    close() {
      flush();
      if (options.owned) file.close?.();
    },
  };
}

/** A sink that keeps everything in memory, for tests and for capturing output. */
export function memorySink(): Sink & { bytes(): Uint8Array; text(): string } {
  const parts: Uint8Array[] = [];
  const encoder = new TextEncoder();
  let size = 0;
  const bytes = () => concat(parts, size);
  return {
    write(chunk) {
      const b = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
      parts.push(b);
      size += b.length;
    },
    flush() {},
    close() {},
    bytes,
    text: () => new TextDecoder().decode(bytes()),
  };
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}
