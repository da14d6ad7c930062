/** What the benchmark measures and the helpers every implementation shares. */
import process from "node:process";

/**
 * The workloads: many small blobs, some medium ones, one big one of 64 MiB and one of
 * 256 MiB (`--only big` runs both big ones).
 */
export const WORKLOADS = {
  small: { count: 10_000, size: 4 * 1024, label: "10,000 × 4 KiB" },
  medium: { count: 100, size: 1024 * 1024, label: "100 × 1 MiB" },
  big64: { count: 1, size: 64 * 1024 * 1024, label: "1 × 64 MiB" },
  big: { count: 1, size: 256 * 1024 * 1024, label: "1 × 256 MiB" },
} as const;

/** Workloads streamed from a file rather than held in memory. */
export const FILE_WORKLOADS: readonly WorkloadName[] = ["big64", "big"];

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
  /** Peak RSS at the end of the child (VmHWM, or ru_maxrss where that is unreadable). */
  peakRssBytes: number;
  peakRssSource: "VmHWM" | "ru_maxrss";
  /** VmRSS right after start-up, before any data exists. */
  baseRssBytes: number;
}

/** Seconds `fn` takes. */
export async function timed(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/**
 * Peak RSS of this process: VmHWM from /proc/self/status when readable (Deno only allows it
 * under --allow-all), else getrusage's ru_maxrss, which Linux derives from the same
 * high-water mark.
 */
export function peakRss(): { bytes: number; source: "VmHWM" | "ru_maxrss" } {
  try {
    const text = Deno.readTextFileSync("/proc/self/status");
    const match = text.match(/^VmHWM:\s+(\d+) kB/m);
    if (match) return { bytes: Number(match[1]) * 1024, source: "VmHWM" };
  } catch {
    // NotCapable without --allow-all, or not Linux.
  }
  return { bytes: process.resourceUsage().maxRSS * 1024, source: "ru_maxrss" };
}

/** Resident set size right now. */
export function currentRss(): number {
  return Deno.memoryUsage().rss;
}

/** Progress goes to stderr so stdout stays the report (or the child's JSON line). */
export function progress(message: string): void {
  console.error(`[bench] ${message}`);
}
