/**
 * A materialized extension's verification stamp. Right after sqlink has hashed a
 * materialized file and found it equal to its key, it records the file's identity as the
 * filesystem reports it (device, inode, size, modification and change times) beside it.
 * A later launch that finds the same identity knows the bytes are the ones it verified
 * without hashing them again: any write to the file, or its replacement, changes the
 * change time, which no unprivileged process can set back. This keeps a launch with a
 * bundle within its budget (hashing costs ~10 ms on a cold start); `.load` and every
 * materialization still hash in full.
 */
import { basename, dirname, join } from "node:path";

/** The identity a stamp records. */
interface Identity {
  blake3: string;
  dev: number;
  ino: number | null;
  size: number;
  mtime: number | null;
  ctime: number | null;
}

/** Where the stamp of `path` lives: a hidden file beside it. */
export function stampPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.verified`);
}

function identity(path: string, blake3: string): Identity | undefined {
  try {
    const info = Deno.statSync(path);
    if (!info.isFile) return undefined;
    return {
      blake3,
      dev: info.dev,
      ino: info.ino,
      size: info.size,
      mtime: info.mtime?.getTime() ?? null,
      ctime: info.ctime?.getTime() ?? null,
    };
  } catch {
    return undefined;
  }
}

/** True when `path` is, by its filesystem identity, the file verified as `blake3`. */
export function stampMatches(path: string, blake3: string): boolean {
  const now = identity(path, blake3);
  // Without inode and change time (some platforms), only a full hash can tell.
  if (!now || now.ino === null || now.ctime === null) return false;
  try {
    return Deno.readTextFileSync(stampPath(path)) === JSON.stringify(now);
  } catch {
    return false;
  }
}

/** Record that `path` was just verified to hold the bytes `blake3`; best effort. */
export function writeStamp(path: string, blake3: string): void {
  const now = identity(path, blake3);
  if (!now) return;
  try {
    Deno.writeTextFileSync(stampPath(path), JSON.stringify(now), { mode: 0o600 });
  } catch {
    // Without a stamp the next launch hashes the file in full: slower, never wrong.
  }
}
