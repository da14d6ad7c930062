/** What the benchmark measures and the helpers every implementation shares. */

/** The three workloads: many small blobs, some medium ones, one big one. */
export const WORKLOADS = {
  small: { count: 10_000, size: 4 * 1024, label: "10,000 × 4 KiB" },
  medium: { count: 100, size: 1024 * 1024, label: "100 × 1 MiB" },
  big: { count: 1, size: 256 * 1024 * 1024, label: "1 × 256 MiB" },
} as const;

export type WorkloadName = keyof typeof WORKLOADS;
export const WORKLOAD_NAMES = Object.keys(WORKLOADS) as WorkloadName[];

export const IMPLS = ["sqlink", "raw", "cacache"] as const;
export type ImplName = typeof IMPLS[number];

/** Seconds spent putting and getting; everything else a run does is untimed. */
export interface Timing {
  put: number;
  get: number;
}

/** One scenario's result, printed by the child as one JSON line. */
export interface ChildResult {
  impl: ImplName;
  workload: WorkloadName;
  putSeconds: number;
  getSeconds: number;
  bytes: number;
  count: number;
  /** VmHWM at the end of the child. */
  peakRssBytes: number;
  /** VmRSS right after start-up, before any data exists. */
  baseRssBytes: number;
}

/** Seconds `fn` takes. */
export async function timed(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/** A field of /proc/self/status in bytes (Linux only; 0 elsewhere). */
export function procStatusBytes(field: "VmHWM" | "VmRSS"): number {
  try {
    const text = Deno.readTextFileSync("/proc/self/status");
    const match = text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Progress goes to stderr so stdout stays the report (or the child's JSON line). */
export function progress(message: string): void {
  console.error(`[bench] ${message}`);
}
