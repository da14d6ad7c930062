/**
 * Start-up with a bundle: `sqlink --bundle B :memory: "select 1"` (auto: B has no baked
 * binary, so its members load), where B holds three
 * real extensions (sqlite-vec, sqlite-lines, sqlite-path), against the plain
 * `sqlink :memory: "select 1"`, interleaved in the same run. The blobs are materialized
 * once before timing, as on any machine after its first launch. Target: at most 20 ms
 * extra (median against median).
 */
import { ensureFixtures } from "../fixtures.ts";
import { MAIN, median, SHELL_PERMISSIONS, timeOnce } from "./startup.ts";

/** Timings of both launches, in milliseconds. */
export interface BundleStartupResult {
  plainMs: number[];
  bundleMs: number[];
}

const MEMBERS = ["vec0@0.1.9", "lines0", "path0"];
const TARGET_EXTRA_MS = 20;

/** Save the bundle in a fresh cache, warm it, then time both launches `reps` times each. */
export async function measureBundleStartup(reps: number): Promise<BundleStartupResult> {
  const fixtures = await ensureFixtures({ only: MEMBERS });
  const cache = await Deno.makeTempDir({ prefix: "sqlink-bench-bundle-" });
  const env = { SQLINK_CACHE_DIR: cache };
  try {
    const loads = MEMBERS.flatMap((name) => ["--load", fixtures[name]]);
    const saved = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", ...SHELL_PERMISSIONS, MAIN, ...loads, ":memory:", ".bundle save b3"],
      env,
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!saved.success) throw new Error("saving the benchmark bundle failed");
    const plain = [...SHELL_PERMISSIONS, MAIN, ":memory:", "select 1"];
    const bundle = [...SHELL_PERMISSIONS, MAIN, "--bundle", "b3", ":memory:", "select 1"];
    // A verification stamp is trusted only once taken a second after the copy was written
    // (lib/ext/stamp.ts): the first launch after that hashes and settles it, as on any
    // machine that has launched the bundle before.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await timeOnce(plain, env);
    await timeOnce(bundle, env);
    const result: BundleStartupResult = { plainMs: [], bundleMs: [] };
    for (let i = 0; i < reps; i++) {
      result.plainMs.push(await timeOnce(plain, env));
      result.bundleMs.push(await timeOnce(bundle, env));
    }
    return result;
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
}

/** The report lines: medians, minimums, the extra time and PASS/MISS against 20 ms. */
export function bundleStartupReport(r: BundleStartupResult): string {
  const extra = median(r.bundleMs) - median(r.plainMs);
  const fmt = (v: number) => `${v.toFixed(1)} ms`;
  return [
    `Start-up with a 3-extension bundle, ${r.plainMs.length} runs each, interleaved (median / min):`,
    `  sqlink :memory: "select 1"                  ${fmt(median(r.plainMs))} / ${
      fmt(Math.min(...r.plainMs))
    }`,
    `  sqlink --bundle b3 :memory: "select 1"      ${fmt(median(r.bundleMs))} / ${
      fmt(Math.min(...r.bundleMs))
    }`,
    `  extra ${fmt(extra)} (target ≤ ${TARGET_EXTRA_MS} ms): ${
      extra <= TARGET_EXTRA_MS ? "PASS" : "MISS"
    }`,
  ].join("\n");
}
