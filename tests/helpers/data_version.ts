/** Watching a SQLite database for commits made by other connections. */
import { DatabaseSync } from "node:sqlite";

/**
 * Tells whether any connection other than its own committed to the database at `path`
 * since the last `reset` (SQLite's `PRAGMA data_version`).
 */
export class DataVersionWatcher implements Disposable {
  #db: DatabaseSync;
  #seen: number;

  constructor(path: string) {
    this.#db = new DatabaseSync(path, { readOnly: true });
    this.#seen = this.#version();
  }

  #version(): number {
    return Number(this.#db.prepare(`PRAGMA data_version`).get()!.data_version);
  }

  /** Start watching from now. */
  reset(): void {
    this.#seen = this.#version();
  }

  /** True when another connection committed since the last reset. */
  changed(): boolean {
    return this.#version() !== this.#seen;
  }

  [Symbol.dispose](): void {
    this.#db.close();
  }
}
