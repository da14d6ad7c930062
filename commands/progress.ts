/**
 * A one-line progress report on stderr for long operations (`cas put`, `get`, `verify`,
 * `export`, `import`, `gc`): what is being done, how far (bytes or items), and the rate. It
 * is drawn only on an interactive stderr whose terminal can redraw a line: nothing when
 * piped, with `--quiet` or `--json`, or under TERM=dumb. It uses no colour, so NO_COLOR
 * changes nothing.
 */
import { formatBytes } from "../lib/size.ts";
import { currentOutput } from "./output.ts";

/** Something that can be told how far a long operation got. */
export interface Progress {
  /** `done` of `total` (bytes or items), and what is being done now. */
  update(done: number, total: number, doing?: string): void;
  /** Say what is being done when there is nothing to count (`gc: evicting…`). */
  say(doing: string): void;
  /** Clear the line. */
  done(): void;
}

/** How progress is counted and whether it may be drawn. */
export interface ProgressOptions {
  /** False for `--quiet` or `--json`. */
  enabled?: boolean;
  /** What is counted: bytes (shown as sizes and MiB/s) or items (`12/40`). */
  unit?: "bytes" | "items";
}

const QUIET: Progress = { update() {}, say() {}, done() {} };
const REDRAW_MS = 100;

/** Whether a progress line may be drawn at all on this process's stderr. */
export function progressAllowed(): boolean {
  if (!currentOutput().errIsTerminal()) return false;
  return Deno.env.get("TERM") !== "dumb";
}

/**
 * Progress for `label`, drawn at most every 100 ms (and at the end), only where
 * progressAllowed (the process's stderr, or the shell's while `.cas` runs: see `withOutput`).
 */
export function progress(label: string, options: ProgressOptions = {}): Progress {
  if (options.enabled === false || !progressAllowed()) return QUIET;
  const streams = currentOutput();
  const bytes = options.unit === "bytes";
  let last = -Infinity;
  let drawn = false;
  // The rate is of what is being done now: hashing and storing a file are two passes.
  let phase = { doing: undefined as string | undefined, started: performance.now(), from: 0 };
  return {
    update(done, total, doing) {
      const now = performance.now();
      if (phase.doing !== doing) phase = { doing, started: now, from: done };
      if (now - last < REDRAW_MS && done < total) return;
      last = now;
      drawn = true;
      const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
      const seconds = (now - phase.started) / 1000;
      const speed = (done - phase.from) / seconds;
      const amount = bytes ? `${formatBytes(done)} of ${formatBytes(total)}` : `${done}/${total}`;
      const rate = seconds < 0.05
        ? ""
        : `, ${bytes ? `${formatBytes(Math.round(speed))}/s` : `${speed.toFixed(1)}/s`}`;
      const what = doing ? ` ${doing}` : "";
      streams.err(`\r${label}:${what} ${amount} (${pct}%${rate})\x1b[K`);
    },
    say(doing) {
      last = performance.now();
      drawn = true;
      streams.err(`\r${label}: ${doing}…\x1b[K`);
    },
    done() {
      if (drawn) streams.err("\r\x1b[K");
    },
  };
}
