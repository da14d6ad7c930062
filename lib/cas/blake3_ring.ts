/**
 * The shared memory between a big put and the worker that hashes its bytes with BLAKE3
 * (lib/cas/blake3_worker.ts): a ring of SLOTS pieces and a few counters. Both sides take
 * turns on a slot through Atomics, so neither ever waits on an event loop: the put runs
 * inside a synchronous SQLite transaction.
 */

/** Pieces in flight at once; each is at most SLOT_BYTES. */
export const SLOTS = 8;
/** The largest piece (one cas chunk). */
export const SLOT_BYTES = 1 << 20;

/** Indexes into the control array. */
export const Ctl = {
  /** Pieces the put has written into the ring. */
  Posted: 0,
  /** Pieces the worker has hashed (their slots are free again). */
  Hashed: 1,
  /** 1 once the put has posted its last piece. */
  Ended: 2,
  /** Who owns the hashing: see State. */
  State: 3,
  /** 1 once the digest is in the digest bytes (or the worker failed). */
  Done: 4,
  /** Bumped by the put at every post and at the end: what the worker waits on. */
  Events: 5,
  /** The first length slot: Lengths + i is the byte count of slot i. */
  Lengths: 8,
} as const;

/** Who hashes: the worker once it started, unless the put gave up waiting for it first. */
export const State = {
  Starting: 0,
  Running: 1,
  /** The put hashes on its own thread; a worker that starts late exits at once. */
  Abandoned: 2,
  /** The worker failed: the put hashes on its own from what it still has. */
  Failed: 3,
} as const;

/** The shared buffers, as both sides view them. */
export interface Ring {
  control: Int32Array;
  data: Uint8Array;
  digest: Uint8Array;
}

/** Views over `shared` (made by newRing). */
export function ringViews(shared: SharedArrayBuffer): Ring {
  const controlBytes = (Ctl.Lengths + SLOTS) * 4;
  return {
    control: new Int32Array(shared, 0, Ctl.Lengths + SLOTS),
    data: new Uint8Array(shared, controlBytes, SLOTS * SLOT_BYTES),
    digest: new Uint8Array(shared, controlBytes + SLOTS * SLOT_BYTES, 32),
  };
}

/** A fresh ring's shared memory. */
export function newRing(): SharedArrayBuffer {
  return new SharedArrayBuffer((Ctl.Lengths + SLOTS) * 4 + SLOTS * SLOT_BYTES + 32);
}
