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

/** The identity a stamp records, with the digest the file was verified to have. */
interface Identity {
  digest: string;
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

function identity(path: string, digest: string): Identity | undefined {
  try {
    const info = Deno.statSync(path);
    if (!info.isFile) return undefined;
    return {
      digest,
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

/** True when `path` is, by its filesystem identity, the file verified as `digest`. */
export function stampMatches(path: string, digest: string): boolean {
  return stampedDigest(path) === digest;
}

/**
 * The digest `path` was verified to have, when its filesystem identity is still the one
 * recorded then; undefined when there is no stamp or the file changed.
 */
export function stampedDigest(path: string): string | undefined {
  let recorded: Identity;
  try {
    recorded = JSON.parse(Deno.readTextFileSync(stampPath(path)));
  } catch {
    return undefined;
  }
  if (typeof recorded?.digest !== "string") return undefined;
  const now = identity(path, recorded.digest);
  // Without inode and change time (some platforms), only a full hash can tell.
  if (!now || now.ino === null || now.ctime === null) return undefined;
  return JSON.stringify(now) === JSON.stringify(recorded) ? recorded.digest : undefined;
}

/** Record that `path` was just verified to hold the bytes whose digest is `digest`; best effort. */
export function writeStamp(path: string, digest: string): void {
  const now = identity(path, digest);
  if (!now) return;
  try {
    Deno.writeTextFileSync(stampPath(path), JSON.stringify(now), { mode: 0o600 });
  } catch {
    // Without a stamp the next launch hashes the file in full: slower, never wrong.
  }
}
