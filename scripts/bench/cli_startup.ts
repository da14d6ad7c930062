/**
 * Start-up of the script commands: `sqlink cas ls`, `cas stats`, `bundle list`, `bundle show`
 * and `cas verify` on a small cache (a few artifacts, one bundle of a real extension),
 * against a bare `deno run` script that opens the same cache file with node:sqlite and
 * lists its artifacts, interleaved in the same run. Target: each at most 1.5× the floor.
 */
import { join } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { ensureFixtures } from "../fixtures.ts";
import { MAIN, median, SHELL_PERMISSIONS } from "./startup.ts";

const BARE = fromFileUrl(new URL("./bare_cas.ts", import.meta.url));
const CONFIG = fromFileUrl(new URL("../../deno.json", import.meta.url));
const TARGET_RATIO = 1.5;

/** The commands timed, each against the floor. */
const COMMANDS: [string, string[]][] = [
  ["sqlink cas ls", ["cas", "ls"]],
  ["sqlink cas stats", ["cas", "stats"]],
  ["sqlink bundle list", ["bundle", "list"]],
  ["sqlink bundle show b1", ["bundle", "show", "b1"]],
  ["sqlink cas verify", ["cas", "verify"]],
];

/** Timings in milliseconds: the floor's, then each command's. */
export interface CliStartupResult {
  bareMs: number[];
  commandMs: Map<string, number[]>;
}

async function timeRun(args: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--config", CONFIG, ...args],
    env,
    stdout: "null",
    stderr: "piped",
  }).output();
  const elapsed = performance.now() - started;
  if (!out.success) {
    throw new Error(
      `run ${args.join(" ")} failed: exit ${out.code}: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return elapsed;
}

/** Fill a fresh cache, then time the floor and every command `reps` times, alternating. */
export async function measureCliStartup(reps: number): Promise<CliStartupResult> {
  const fixtures = await ensureFixtures({ only: ["vec0@0.1.9"] });
  const cache = await Deno.makeTempDir({ prefix: "sqlink-bench-cli-" });
  const env = { SQLINK_CACHE_DIR: cache };
  try {
    for (let i = 0; i < 3; i++) await Deno.writeTextFile(join(cache, `blob${i}`), `blob ${i}\n`);
    const files = [0, 1, 2].map((i) => join(cache, `blob${i}`));
    await timeRun([...SHELL_PERMISSIONS, MAIN, "cas", "put", ...files], env);
    const load = ["--load", fixtures["vec0@0.1.9"], ":memory:", ".bundle save b1"];
    await timeRun([...SHELL_PERMISSIONS, MAIN, ...load], env);
    const bare = ["--allow-all", BARE, join(cache, "cas.sqlite")];
    const result: CliStartupResult = { bareMs: [], commandMs: new Map() };
    for (let rep = -1; rep < reps; rep++) {
      // The first round warms Deno's caches and is not counted.
      const bareMs = await timeRun(bare, env);
      if (rep >= 0) result.bareMs.push(bareMs);
      for (const [name, args] of COMMANDS) {
        const ms = await timeRun([...SHELL_PERMISSIONS, MAIN, ...args], env);
        if (rep >= 0) result.commandMs.set(name, [...result.commandMs.get(name) ?? [], ms]);
      }
    }
    return result;
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
}

/** The report lines: medians, minimums, each ratio and PASS/MISS against 1.5×. */
export function cliStartupReport(r: CliStartupResult): string {
  const floor = median(r.bareMs);
  const fmt = (v: number) => `${v.toFixed(1)} ms`;
  const width = Math.max(...[...r.commandMs.keys()].map((k) => k.length), 24);
  const lines = [
    `Script command start-up, ${r.bareMs.length} runs each, interleaved (median / min):`,
    `  ${"bare node:sqlite script".padEnd(width)}  ${fmt(floor)} / ${fmt(Math.min(...r.bareMs))}`,
  ];
  for (const [name, ms] of r.commandMs) {
    const ratio = median(ms) / floor;
    lines.push(
      `  ${name.padEnd(width)}  ${fmt(median(ms))} / ${fmt(Math.min(...ms))}  ${
        ratio.toFixed(2)
      }× (target ≤ ${TARGET_RATIO.toFixed(2)}×): ${ratio <= TARGET_RATIO ? "PASS" : "MISS"}`,
    );
  }
  return lines.join("\n");
}
