/**
 * A thread that calls sqlite3_interrupt when SIGINT arrives, even while the main thread is
 * blocked in a synchronous sqlite3_step (where its own signal listener cannot run). The
 * shell points it at the connection in use (`watch`) and away before closing one.
 */
import type { Database } from "./database.ts";

/** The running interrupter of a session. */
export class Interrupter {
  readonly #worker: Worker;
  readonly #lock: Int32Array;
  readonly #pointer: BigInt64Array;
  #ready = false;
  #onReady: (() => void) | null = null;

  private constructor(worker: Worker, cell: SharedArrayBuffer) {
    this.#worker = worker;
    this.#lock = new Int32Array(cell, 0, 1);
    this.#pointer = new BigInt64Array(cell, 8, 1);
    worker.onmessage = () => {
      this.#ready = true;
      this.#onReady?.();
    };
  }

  /**
   * Start the thread for the SQLite library at `library` (it starts in the background:
   * until it is ready, the main thread's own listener is all there is). Null when this
   * Deno cannot start it (a compiled program without the worker's module).
   */
  static start(library: string): Interrupter | null {
    try {
      const worker = new Worker(new URL("./interrupt_worker.ts", import.meta.url), {
        type: "module",
      });
      const cell = new SharedArrayBuffer(16);
      const interrupter = new Interrupter(worker, cell);
      worker.onerror = (event) => {
        event.preventDefault();
        interrupter.#ready = false;
      };
      worker.postMessage({ library, cell });
      return interrupter;
    } catch {
      return null;
    }
  }

  /** True once the thread listens. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Call `fn` once the thread listens (now, if it does). */
  onReady(fn: () => void): void {
    this.#onReady = fn;
    if (this.#ready) fn();
  }

  /** Interrupt `db` on SIGINT from now on (null: no connection). */
  watch(db: Database | null): void {
    this.#locked(() => {
      const handle = db?.isOpen ? db.handle : null;
      Atomics.store(
        this.#pointer,
        0,
        handle === null ? 0n : BigInt(Deno.UnsafePointer.value(handle)),
      );
    });
  }

  #locked(fn: () => void): void {
    while (Atomics.compareExchange(this.#lock, 0, 0, 1) !== 0) { /* a signal is being handled */ }
    try {
      fn();
    } finally {
      Atomics.store(this.#lock, 0, 0);
    }
  }

  /** Stop the thread. */
  stop(): void {
    this.watch(null);
    this.#worker.terminate();
  }
}
