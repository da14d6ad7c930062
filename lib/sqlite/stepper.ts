/**
 * Stepping a statement so that Ctrl-C can stop it when no interrupter thread watches the
 * connection (lib/sqlite/interrupter.ts). A step on a worker thread (`stepAsync`) leaves
 * the event loop free for the SIGINT listener, but costs ~30 µs; a synchronous step costs
 * ~0.2 µs but blocks the loop. So, with `firstAsync`, the first step of a statement (where
 * an aggregate, a sort or a recursive query does its work) runs asynchronously, the rows
 * after it synchronously while they come fast, and asynchronously again once a synchronous
 * step was slow; and at least every YIELD_MS a synchronous run gives the event loop a turn,
 * so a pending signal is seen.
 */
import type { Statement } from "./statement.ts";

/** A synchronous step slower than this sends the following steps to the worker thread. */
const SLOW_STEP_MS = 20;
/** An asynchronous step faster than this (several in a row) lets the next ones run synchronously. */
const FAST_STEP_MS = 0.5;
const FAST_STEPS = 8;
/** How long synchronous steps may keep the event loop waiting. */
const YIELD_MS = 50;

const turn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Steps one statement; `next()` is a boolean or, when it had to wait, a promise of one. */
export class Stepper {
  readonly #statement: Statement;
  #async: boolean;
  #fast = 0;
  #count = 0;
  #since = performance.now();

  constructor(statement: Statement, options: { firstAsync: boolean }) {
    this.#statement = statement;
    this.#async = options.firstAsync;
  }

  /** True when a row is ready, false at the end; throws (or rejects with) SqliteError. */
  next(): boolean | Promise<boolean> {
    if (this.#async) return this.#stepAsync();
    if ((++this.#count & 255) === 0 && performance.now() - this.#since > YIELD_MS) {
      return turn().then(() => {
        this.#since = performance.now();
        return this.#stepSync();
      });
    }
    return this.#stepSync();
  }

  #stepSync(): boolean {
    // Timing every step costs as much as the step itself: a sample of them is enough to
    // notice rows that come slowly.
    if ((this.#count & 15) !== 0) return this.#statement.step();
    const started = performance.now();
    const row = this.#statement.step();
    if (performance.now() - started > SLOW_STEP_MS) {
      this.#async = true;
      this.#fast = 0;
    }
    return row;
  }

  async #stepAsync(): Promise<boolean> {
    const started = performance.now();
    const row = await this.#statement.stepAsync();
    const took = performance.now() - started;
    if (took < FAST_STEP_MS && ++this.#fast >= FAST_STEPS) {
      this.#async = false;
      this.#since = performance.now();
    } else if (took >= FAST_STEP_MS) this.#fast = 0;
    return row;
  }
}
