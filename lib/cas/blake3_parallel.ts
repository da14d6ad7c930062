/**
 * Streamed BLAKE3 for a big put, on a worker thread when the blob is big enough to pay for
 * starting one (~60 ms): the put keeps reading and storing while the worker hashes what it
 * stored. The API is synchronous, as the put runs inside a SQLite transaction; the two
 * sides meet in shared memory (lib/cas/blake3_ring.ts). The digest is the standard BLAKE3
 * of all the bytes in order, whichever thread computed it.
 */
import { createHasher } from "blake3-jit";
import { toHex } from "./blake3.ts";
import { Ctl, newRing, type Ring, ringViews, SLOT_BYTES, SLOTS, State } from "./blake3_ring.ts";

/** Below this many bytes a worker costs more to start than it saves. */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

/**
 * How long the put waits for a worker that has not started (module not found in a compiled
 * binary, an overloaded machine) before it hashes on its own thread instead.
 */
const START_WAIT_MS = 3000;

/** BLAKE3 of bytes fed in order. */
export interface Blake3Stream {
  /** Feed the next bytes (the caller may reuse `bytes` once this returns). */
  update(bytes: Uint8Array): void;
  /** Lowercase hex of everything fed; call once. */
  digest(): string;
  /** Stop without a digest (the put failed): the worker, if any, is ended. */
  abort(): void;
  /** Where the hashing ran (for tests and the benchmark). */
  readonly where: "worker" | "thread";
}

/** A BLAKE3 stream for about `expectedBytes` bytes, on a worker when that pays. */
export function blake3Stream(
  expectedBytes: number,
  options: { worker?: boolean } = {},
): Blake3Stream {
  const wanted = options.worker ?? expectedBytes >= PARALLEL_MIN_BYTES;
  if (wanted && typeof Worker === "function") {
    try {
      return new WorkerBlake3();
    } catch {
      // No worker here (a restricted runtime): hash on this thread.
    }
  }
  return new ThreadBlake3();
}

class ThreadBlake3 implements Blake3Stream {
  readonly where = "thread";
  #hasher = createHasher();

  update(bytes: Uint8Array): void {
    this.#hasher.update(bytes);
  }

  digest(): string {
    return toHex(this.#hasher.finalize());
  }

  abort(): void {}
}

class WorkerBlake3 implements Blake3Stream {
  #ring: Ring;
  #worker: Worker;
  #posted = 0;
  #started = performance.now();
  /** Set once the put took the hashing back (the worker never started). */
  #local: ReturnType<typeof createHasher> | undefined;

  constructor() {
    const shared = newRing();
    this.#ring = ringViews(shared);
    this.#worker = new Worker(new URL("./blake3_worker.ts", import.meta.url), { type: "module" });
    // A worker that fails to load must not take the process down: the put hashes itself.
    this.#worker.onerror = (event) => event.preventDefault();
    this.#worker.postMessage(shared);
  }

  get where(): "worker" | "thread" {
    return this.#local ? "thread" : "worker";
  }

  update(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; at += SLOT_BYTES) {
      const piece = bytes.subarray(at, at + SLOT_BYTES);
      if (this.#local) this.#local.update(piece);
      else this.#post(piece);
    }
  }

  #post(piece: Uint8Array): void {
    const { control, data } = this.#ring;
    while (this.#posted - Atomics.load(control, Ctl.Hashed) >= SLOTS) {
      if (this.#waitOrTakeBack(Ctl.Hashed)) {
        this.#local!.update(piece);
        return;
      }
    }
    const slot = this.#posted % SLOTS;
    data.set(piece, slot * SLOT_BYTES);
    Atomics.store(control, Ctl.Lengths + slot, piece.length);
    Atomics.store(control, Ctl.Posted, ++this.#posted);
    Atomics.add(control, Ctl.Events, 1);
    Atomics.notify(control, Ctl.Events);
  }

  /**
   * Wait a little for the worker to move `index`; true when the hashing was taken back
   * (the worker never started), after which everything goes to the local hasher.
   */
  #waitOrTakeBack(index: number): boolean {
    const { control } = this.#ring;
    const state = Atomics.load(control, Ctl.State);
    if (state === State.Failed) {
      this.#worker.terminate();
      throw new Error("The BLAKE3 worker failed");
    }
    if (state === State.Starting && performance.now() - this.#started > START_WAIT_MS) {
      if (
        Atomics.compareExchange(control, Ctl.State, State.Starting, State.Abandoned) ===
          State.Starting
      ) {
        this.#takeBack();
        return true;
      }
    }
    Atomics.wait(control, index, Atomics.load(control, index), 50);
    return false;
  }

  /** Hash every piece still in the ring (all of them: none was hashed) on this thread. */
  #takeBack(): void {
    this.#worker.terminate();
    const { control, data } = this.#ring;
    this.#local = createHasher();
    for (let i = 0; i < this.#posted; i++) {
      const slot = i % SLOTS;
      const length = Atomics.load(control, Ctl.Lengths + slot);
      this.#local.update(data.subarray(slot * SLOT_BYTES, slot * SLOT_BYTES + length));
    }
  }

  abort(): void {
    this.#worker.terminate();
  }

  digest(): string {
    if (this.#local) return toHex(this.#local.finalize());
    const { control, digest } = this.#ring;
    Atomics.store(control, Ctl.Ended, 1);
    Atomics.add(control, Ctl.Events, 1);
    Atomics.notify(control, Ctl.Events);
    while (Atomics.load(control, Ctl.Done) === 0) {
      if (this.#waitOrTakeBack(Ctl.Done)) return toHex(this.#local!.finalize());
    }
    this.#worker.terminate();
    if (Atomics.load(control, Ctl.State) === State.Failed) {
      throw new Error("The BLAKE3 worker failed");
    }
    return toHex(digest.slice());
  }
}
