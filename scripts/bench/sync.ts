/**
 * `sqlink sync` of a 3-member lock (sqlite-vec 0.1.6, sqlite-lines 0.2.2, sqlite-path 0.2.1,
 * every platform hashed) into an empty cache, against `npm pack` of the same three
 * platform packages into an empty npm cache, interleaved in the same run (target: not
 * slower); and a second `sqlink sync` with everything cached, against a plain
 * `sqlink :memory: "select 1"` (target ≤ 1.2×). The second sync runs with the registry
 * pointed at a closed port: it must need no network at all.
 */
import { join } from "node:path";
import { CONFIG, MAIN, median, SHELL_PERMISSIONS, timeOnce } from "./startup.ts";

/** Timings in milliseconds. */
export interface SyncResult {
  syncMs: number[];
  npmPackMs: number[];
  cachedSyncMs: number[];
  plainMs: number[];
}

const SOURCES = ["npm:sqlite-vec@0.1.6", "npm:sqlite-lines@0.2.2", "npm:sqlite-path@0.2.1"];
const PACKAGES = [
  "sqlite-vec-linux-x64@0.1.6",
  "sqlite-lines-linux-x64@0.2.2",
  "sqlite-path-linux-x64@0.2.1",
];

async function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; stdin?: string } = {},
): Promise<number> {
  const started = performance.now();
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const elapsed = performance.now() - started;
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return elapsed;
}

function sqlink(args: string[]): string[] {
  return ["run", "--quiet", "--config", CONFIG, ...SHELL_PERMISSIONS, MAIN, ...args];
}

async function freshDir(parent: string, prefix: string): Promise<string> {
  return await Deno.makeTempDir({ dir: parent, prefix });
}

/** Lock the three members once, then time each side `reps` times, interleaved. */
export async function measureSync(reps: number): Promise<SyncResult> {
  const top = await Deno.makeTempDir({ prefix: "sqlink-bench-sync-" });
  try {
    const work = join(top, "work");
    await Deno.mkdir(work);
    const setupCache = await freshDir(top, "cache-");
    const env = { SQLINK_CACHE_DIR: setupCache, SQLINK_CAS: "" };
    for (const source of SOURCES) {
      await run(Deno.execPath(), sqlink(["ext", "add", source]), { cwd: work, env });
    }
    await run(Deno.execPath(), sqlink(["-init", "/dev/null", ":memory:"]), {
      cwd: work,
      env,
      stdin: ".load vec0\n.load lines0\n.load path0\n.bundle save b3 --no-build\n",
    });
    await run(Deno.execPath(), sqlink(["lock", "b3"]), { cwd: work, env });
    const result: SyncResult = { syncMs: [], npmPackMs: [], cachedSyncMs: [], plainMs: [] };
    const offline = { npm_config_registry: "http://127.0.0.1:9/" };
    for (let i = -1; i < reps; i++) {
      // An empty cas-cache against an empty npm cache (both fetch over the network).
      const cache = await freshDir(top, "cache-");
      const sync = await run(Deno.execPath(), sqlink(["sync", "--frozen"]), {
        cwd: work,
        env: { SQLINK_CACHE_DIR: cache, SQLINK_CAS: "" },
      });
      const npmCache = await freshDir(top, "npm-");
      const pack = await run("npm", ["pack", ...PACKAGES, "--cache", npmCache, "--silent"], {
        cwd: npmCache,
      });
      // Everything cached, no network: the second sync against a plain start.
      const cachedEnv = { SQLINK_CACHE_DIR: cache, SQLINK_CAS: "", ...offline };
      const cached = await run(Deno.execPath(), sqlink(["sync", "--frozen"]), {
        cwd: work,
        env: cachedEnv,
      });
      const plain = await timeOnce([...SHELL_PERMISSIONS, MAIN, ":memory:", "select 1"], cachedEnv);
      if (i < 0) continue; // the first round warms Deno's and the OS's caches
      result.syncMs.push(sync);
      result.npmPackMs.push(pack);
      result.cachedSyncMs.push(cached);
      result.plainMs.push(plain);
    }
    return result;
  } finally {
    await Deno.remove(top, { recursive: true });
  }
}

/** The report lines: medians and minimums, the two ratios, PASS/MISS. */
export function syncReport(r: SyncResult): string {
  const fmt = (v: number) => `${v.toFixed(0)} ms`;
  const row = (label: string, values: number[]) =>
    `  ${label.padEnd(52)}${fmt(median(values))} / ${fmt(Math.min(...values))}`;
  const fresh = median(r.syncMs) / median(r.npmPackMs);
  const cached = median(r.cachedSyncMs) / median(r.plainMs);
  return [
    `sqlink sync of a 3-member lock, ${r.syncMs.length} runs each, interleaved (median / min):`,
    row("sqlink sync --frozen (empty cache, from npm)", r.syncMs),
    row("npm pack of the 3 packages (empty npm cache)", r.npmPackMs),
    row("sqlink sync --frozen (all cached, no network)", r.cachedSyncMs),
    row('sqlink :memory: "select 1"', r.plainMs),
    `  empty cache: ${fresh.toFixed(2)}× npm pack (target ≤ 1.0×): ${fresh <= 1 ? "PASS" : "MISS"}`,
    `  all cached:  ${cached.toFixed(2)}× a plain start (target ≤ 1.2×): ${
      cached <= 1.2 ? "PASS" : "MISS"
    }`,
  ].join("\n");
}
