/** `.timer on`: wall-clock, user and system time of one SQL run, in sqlite3's words. */

/** A started measurement. */
export interface Timer {
  /** "Run Time: real 0.001 user 0.000123 sys 0.000045\n". */
  report(): string;
}

/** Start measuring now. */
export function startTimer(): Timer {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return {
    report() {
      const real = (performance.now() - wall) / 1000;
      const used = process.cpuUsage(cpu);
      return `Run Time: real ${real.toFixed(3)} user ${(used.user / 1e6).toFixed(6)} sys ${
        (used.system / 1e6).toFixed(6)
      }\n`;
    },
  };
}
