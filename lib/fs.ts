/** File helpers shared by every part of sqlink: private directories, temporary siblings, full reads. */
import { basename, dirname, join } from "node:path";
import { fsError } from "./errors.ts";

/** Create `dir` and its missing parents with mode 0700 (SPEC §2). */
export function ensurePrivateDir(dir: string): void {
  try {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw fsError(err, "create the directory", dir);
  }
}

/** A unique sibling name for `path`, for writing before an atomic rename. */
export function tempSibling(path: string): string {
  const rand = crypto.getRandomValues(new Uint32Array(2));
  return join(dirname(path), `.${basename(path)}.${Deno.pid}.${rand[0]}${rand[1]}.tmp`);
}

/** Remove `path` if it exists; never throws. */
export function removeQuietly(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // Nothing there, or nothing we can do about it: the caller is already failing.
  }
}

/** Read into `buf` until it is full or the file ends; returns the byte count. */
export function readFull(file: Deno.FsFile, buf: Uint8Array): number {
  let filled = 0;
  while (filled < buf.length) {
    const n = file.readSync(buf.subarray(filled));
    if (n === null || n === 0) break;
    filled += n;
  }
  return filled;
}

/** True when something (file, directory, link) exists at `path`. */
export function pathExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
