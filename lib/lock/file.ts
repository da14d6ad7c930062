/**
 * Reading and writing `sqlink.lock` on disk: read whole (a missing file is undefined), written
 * to a temporary sibling and renamed, so a reader never sees half a lock.
 */
import { fsError } from "../errors.ts";
import { newTempSibling, removeQuietly } from "../fs.ts";

/** The lock file's text, or undefined when there is none. */
export function readLockText(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw fsError(err, "read", path);
  }
}

/** Replace the lock file with `text` atomically. */
export function writeLockText(path: string, text: string): void {
  const temp = newTempSibling(path);
  try {
    Deno.writeTextFileSync(temp, text, { createNew: true });
    Deno.renameSync(temp, path);
  } catch (err) {
    removeQuietly(temp);
    throw fsError(err, "write to", path);
  }
}
