/**
 * A verification stamp: the record, beside a file, that sqlink hashed it and found the
 * digest it should have, with the file's identity as the filesystem reported it (device,
 * inode, size, modification and change times). A later launch that finds the same identity
 * may skip hashing the file again: this keeps a launch with a bundle within its budget
 * (hashing costs ~10 ms on a cold start); `.load` and every materialization hash in full.
 *
 * The change time is what makes this safe: any write to the file, or its replacement,
 * moves it, and no unprivileged process can set it back. But Deno reports it in whole
 * seconds, so a write within the same second as the last change keeps the identity. A
 * stamp is therefore trusted only when it was taken (its identity read just before the
 * hash) more than a second, plus the kernel clock's slack, after the file's last change:
 * any later write then lands in a later second and shows. A fresher stamp only claims a
 * digest; the file is hashed again and, if it holds that digest, stamped anew.
 */
import { basename, dirname, join } from "../path.ts";

/** The filesystem identity a stamp records. */
interface Identity {
  dev: number;
  ino: number | null;
  size: number;
  mtime: number | null;
  ctime: number | null;
}

/** A stamp as written: the digest, the identity read before hashing, and when it was read. */
interface Stamp extends Identity {
  digest: string;
  /** Date.now() just before the identity was read; 0 for a claim made without hashing. */
  stampedAt: number;
}

/** Change times are whole seconds; the kernel's clock for them may lag the wall clock a little. */
const CHANGE_TIME_RESOLUTION_MS = 1000;
const CLOCK_SLACK_MS = 100;

/** What `startStamp` read before hashing: pass it to `writeStamp` after the hash agreed. */
export interface StampTicket {
  identity: Identity;
  stampedAt: number;
}

/** Where the stamp of `path` lives: a hidden file beside it. */
export function stampPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.verified`);
}

function identity(path: string): Identity | undefined {
  try {
    const info = Deno.statSync(path);
    if (!info.isFile) return undefined;
    return {
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

function sameIdentity(a: Identity, b: Identity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtime === b.mtime &&
    a.ctime === b.ctime;
}

function readStamp(path: string): Stamp | undefined {
  try {
    const stamp = JSON.parse(Deno.readTextFileSync(stampPath(path)));
    return typeof stamp?.digest === "string" ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/** True when `stamp` was taken long enough after the file's last change to be trusted. */
function settled(stamp: Stamp): boolean {
  // Without inode and change time (some platforms), only a full hash can tell.
  if (stamp.ino === null || stamp.ctime === null || typeof stamp.stampedAt !== "number") {
    return false;
  }
  return stamp.ctime + CHANGE_TIME_RESOLUTION_MS + CLOCK_SLACK_MS <= stamp.stampedAt;
}

/** True when `path` is, by a trusted stamp and its filesystem identity, the file verified as `digest`. */
export function stampMatches(path: string, digest: string): boolean {
  return stampedDigest(path) === digest;
}

/**
 * The digest `path` was verified to have, when a trusted stamp says so and its filesystem
 * identity is still the one recorded then; undefined otherwise (no stamp, a changed file,
 * or a stamp too fresh to trust).
 */
export function stampedDigest(path: string): string | undefined {
  const stamp = readStamp(path);
  if (!stamp || !settled(stamp)) return undefined;
  const now = identity(path);
  return now && sameIdentity(now, stamp) ? stamp.digest : undefined;
}

/**
 * The digest `path` holds: its stamp's when trusted, else the stamp's digest when
 * `hash(path)` finds it again (the stamp is then renewed); undefined when there is no
 * stamp or the file no longer holds its digest.
 */
export function verifiedDigest(path: string, hash: (path: string) => string): string | undefined {
  const trusted = stampedDigest(path);
  if (trusted !== undefined) return trusted;
  const claimed = readStamp(path)?.digest;
  if (claimed === undefined) return undefined;
  const ticket = startStamp(path);
  if (!ticket) return undefined;
  let found: string;
  try {
    found = hash(path);
  } catch {
    return undefined;
  }
  if (found !== claimed) return undefined;
  writeStamp(path, claimed, ticket);
  return claimed;
}

/**
 * Read `path`'s identity and the time, just before hashing it; undefined when it is not a
 * regular file.
 */
export function startStamp(path: string): StampTicket | undefined {
  const stampedAt = Date.now();
  const found = identity(path);
  return found && { identity: found, stampedAt };
}

/**
 * Record that `path` holds the bytes whose digest is `digest`; best effort. With the
 * `ticket` read before those bytes were hashed, the stamp can become trusted; without
 * one it only claims the digest, and the next check hashes the file again.
 */
export function writeStamp(path: string, digest: string, ticket?: StampTicket): void {
  const stamp = ticket ? { ...ticket.identity, digest, stampedAt: ticket.stampedAt } : (() => {
    const now = identity(path);
    return now && { ...now, digest, stampedAt: 0 };
  })();
  if (!stamp) return;
  try {
    Deno.writeTextFileSync(stampPath(path), JSON.stringify(stamp), { mode: 0o600 });
  } catch {
    // Without a stamp the next launch hashes the file in full: slower, never wrong.
  }
}
