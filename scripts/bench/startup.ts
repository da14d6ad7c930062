/**
 * Start-up of the one-shot shell path: wall time of `sqlink :memory: "select 1"` against a
 * bare `deno run` script that opens node:sqlite and runs the same query, measured in the
 * same run, interleaved so machine noise hits both alike. Target: at most 1.3× the floor.
 */
import { fileURLToPath as fromFileUrl } from "node:url";

const MAIN = fromFileUrl(new URL("../../main.ts", import.meta.url));
const BARE = fromFileUrl(new URL("./bare_select.ts", import.meta.url));
/** sqlink's deno.json (its import map and lock). */
export const CONFIG = fromFileUrl(new URL("../../deno.json", import.meta.url));
/** How the shell is run: `deno task sqlink` grants every permission. */
export const SHELL_PERMISSIONS = ["--allow-all"];
/** sqlink's entry point. */
export { MAIN };

/** Timings of both programs, in milliseconds. */
export interface StartupResult {
  sqlinkMs: number[];
  bareMs: number[];
}

/** Wall time of one `deno run` of `args` (which must print `1`), in milliseconds. */
export async function timeOnce(args: string[], env?: Record<string, string>): Promise<number> {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--config", CONFIG, ...args],
    stdout: "piped",
    stderr: "inherit",
    env,
  }).output();
  const elapsed = performance.now() - started;
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success || text !== "1\n") {
    throw new Error(`start-up run ${args.join(" ")} failed: exit ${out.code}, output ${text}`);
  }
  return elapsed;
}

/** Run both programs `reps` times each, alternating, after one warm-up of each. */
export async function measureStartup(reps: number): Promise<StartupResult> {
  const sqlink = [...SHELL_PERMISSIONS, MAIN, ":memory:", "select 1"];
  const bare = ["--allow-all", BARE];
  await timeOnce(sqlink);
  await timeOnce(bare);
  const result: StartupResult = { sqlinkMs: [], bareMs: [] };
  for (let i = 0; i < reps; i++) {
    result.sqlinkMs.push(await timeOnce(sqlink));
    result.bareMs.push(await timeOnce(bare));
  }
  return result;
}

/** The median of `values`. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The report lines: medians, minimums, the ratio and PASS/MISS against 1.3×. */
export function startupReport(r: StartupResult): string {
  const ratio = median(r.sqlinkMs) / median(r.bareMs);
  const fmt = (v: number) => `${v.toFixed(1)} ms`;
  return [
    `Start-up, ${r.sqlinkMs.length} runs each, interleaved (median / min):`,
    `  sqlink :memory: "select 1"   ${fmt(median(r.sqlinkMs))} / ${fmt(Math.min(...r.sqlinkMs))}`,
    `  bare node:sqlite script      ${fmt(median(r.bareMs))} / ${fmt(Math.min(...r.bareMs))}`,
    `  ratio ${ratio.toFixed(2)}× the bare script (target ≤ 1.30×): ${
      ratio <= 1.3 ? "PASS" : "MISS"
    }`,
  ].join("\n");
}
