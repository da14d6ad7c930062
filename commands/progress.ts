/** A one-line progress report on stderr when it is a terminal; silent when piped. */
import { currentOutput } from "./output.ts";

/** Something that can be told how far a long operation got. */
export interface Progress {
  update(done: number, total: number): void;
  done(): void;
}

/**
 * Progress for `label`, drawn at most every 100 ms, only on an interactive stderr (the
 * process's, or the shell's while `.cas` runs: see `withOutput`).
 */
export function progress(label: string, enabled = true): Progress {
  const streams = currentOutput();
  if (!enabled || !streams.errIsTerminal()) return { update() {}, done() {} };
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      drawn = true;
      const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
      streams.err(`\r${label}: ${done}/${total} (${pct}%)\x1b[K`);
    },
    done() {
      if (drawn) streams.err("\r\x1b[K");
    },
  };
}
