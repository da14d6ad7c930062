/** A one-line progress report on stderr when it is a terminal; silent when piped. */

/** Something that can be told how far a long operation got. */
export interface Progress {
  update(done: number, total: number): void;
  done(): void;
}

/** Progress for `label`, drawn at most every 100 ms, only on an interactive stderr. */
export function progress(label: string, enabled = true): Progress {
  if (!enabled || !Deno.stderr.isTerminal()) return { update() {}, done() {} };
  const encoder = new TextEncoder();
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      drawn = true;
      const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
      Deno.stderr.writeSync(encoder.encode(`\r${label}: ${done}/${total} (${pct}%)\x1b[K`));
    },
    done() {
      if (drawn) Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
    },
  };
}
