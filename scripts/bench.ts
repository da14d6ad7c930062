/**
 * Benchmark sqlink's cas-cache against a raw node:sqlite floor and npm's cacache.
 *
 * Every (implementation, workload) pair runs in its own child process so peak RSS is per
 * scenario; the parent prints one table and the targets, marked PASS or MISS.
 *
 *   deno task bench                          # everything
 *   deno task bench -- --only small          # workloads: small, medium, big (64 and 256 MiB)
 *   deno task bench -- --impl sqlink,raw     # implementations: sqlink, raw, cacache
 *   deno task bench -- --reps 1              # one run per scenario (default: best of 3)
 *   deno task bench -- --only startup        # just the shell's start-up against bare Deno
 *   deno task bench -- --only bundle         # start-up with a 3-extension bundle
 *   deno task bench -- --only cli            # script commands (cas ls, bundle list…)
 *   deno task bench -- --only concurrency    # 8 writer processes against one
 *   deno task bench -- --only evict          # gc of 10,000 artifacts against a raw DELETE
 *   deno task bench -- --only remote         # the remote tier over nginx (scripts/bench/remote.ts)
 *   deno task bench -- --only sync           # sqlink sync of a 3-member lock against npm pack
 *   deno task bench -- --only browser        # the page's cache in Chromium against the Deno driver
 *   deno task bench -- --only shell          # the shell's output modes, .dump, .import against sqlite3
 *
 * `startup` times `sqlink :memory: "select 1"` against a bare node:sqlite script; `bundle`
 * times `sqlink --bundle-load B` (three real extensions) against the plain start; `cli`
 * times `sqlink cas ls` and friends against a bare script that opens the same cache file;
 * `concurrency` times 8 processes putting into one cache at once against one process doing
 * the same puts; `evict` times gc of 10,000 artifacts against a raw DELETE of the same rows.
 */
import { join } from "node:path";
import {
  type ChildResult,
  type ImplName,
  IMPLS,
  progress,
  WORKLOAD_NAMES,
  type WorkloadName,
  WORKLOADS,
} from "./bench/common.ts";
import { runChild } from "./bench/child.ts";
import { ratiosReport, resultsTable } from "./bench/report.ts";
import { measureStartup, startupReport } from "./bench/startup.ts";
import { bundleStartupReport, measureBundleStartup } from "./bench/bundle_startup.ts";
import { cliStartupReport, measureCliStartup } from "./bench/cli_startup.ts";
import { concurrencyReport, measureConcurrency } from "./bench/concurrency.ts";
import { evictReport, measureEvict } from "./bench/evict.ts";
import { measureRemote, remoteReport } from "./bench/remote.ts";
import { measureSync, syncReport } from "./bench/sync.ts";
import { measureShell, shellReport } from "./bench/shell.ts";

const PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
  "--allow-sys",
  "--allow-ffi",
];

interface Options {
  workloads: WorkloadName[];
  startup: boolean;
  bundle: boolean;
  cli: boolean;
  concurrency: boolean;
  evict: boolean;
  remote: boolean;
  sync: boolean;
  browser: boolean;
  shell: boolean;
  /** --reps was given (the shell cases run once otherwise). */
  repsGiven: boolean;
  impls: ImplName[];
  reps: number;
  child?: { impl: ImplName; workload: WorkloadName; dir: string };
}

function pick<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]) {
  const names = (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !allowed.includes(n as T));
  if (names.length === 0 || bad.length > 0) {
    throw new Error(`${flag} takes a comma list of: ${allowed.join(", ")}`);
  }
  return names as T[];
}

function parseArgs(args: string[]): Options {
  const options: Options = {
    workloads: [],
    impls: [],
    reps: 3,
    startup: false,
    bundle: false,
    cli: false,
    concurrency: false,
    evict: false,
    remote: false,
    sync: false,
    browser: false,
    shell: false,
    repsGiven: false,
  };
  let only = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") continue;
    const [flag, inline] = arg.split("=", 2) as [string, string | undefined];
    const value = () => inline ?? args[++i];
    if (flag === "--only") {
      only = true;
      const extra = [
        "startup",
        "bundle",
        "cli",
        "concurrency",
        "evict",
        "remote",
        "sync",
        "browser",
        "shell",
      ] as const;
      const names = pick(flag, value(), [...WORKLOAD_NAMES, ...extra] as const);
      options.startup ||= names.includes("startup");
      options.bundle ||= names.includes("bundle");
      options.cli ||= names.includes("cli");
      options.concurrency ||= names.includes("concurrency");
      options.evict ||= names.includes("evict");
      options.remote ||= names.includes("remote");
      options.sync ||= names.includes("sync");
      options.browser ||= names.includes("browser");
      options.shell ||= names.includes("shell");
      options.workloads.push(
        ...names.filter((n): n is WorkloadName => (WORKLOAD_NAMES as string[]).includes(n)),
      );
      // `big` is both big blobs, 64 and 256 MiB.
      if (names.includes("big") && !options.workloads.includes("big64")) {
        options.workloads.splice(options.workloads.indexOf("big"), 0, "big64");
      }
    } else if (flag === "--impl") options.impls.push(...pick(flag, value(), IMPLS));
    else if (flag === "--reps") {
      options.reps = Math.max(1, Number(value()) || 1);
      options.repsGiven = true;
    } else if (flag === "--child") {
      const [impl] = pick(flag, args[++i], IMPLS);
      const [workload] = pick(flag, args[++i], WORKLOAD_NAMES);
      options.child = { impl, workload, dir: "" };
    } else if (flag === "--dir" && options.child) options.child.dir = value();
    else throw new Error(`Unknown argument "${arg}" (see the header of scripts/bench.ts)`);
  }
  if (!only) {
    options.workloads = [...WORKLOAD_NAMES];
    options.startup = true;
    options.bundle = true;
    options.cli = true;
    options.concurrency = true;
    options.evict = true;
    options.remote = true;
    options.sync = true;
    options.browser = true;
    options.shell = true;
  }
  if (options.impls.length === 0) options.impls = [...IMPLS];
  return options;
}

async function spawnChild(impl: ImplName, workload: WorkloadName): Promise<ChildResult> {
  const dir = await Deno.makeTempDir({ prefix: `sqlink-bench-${impl}-${workload}-` });
  try {
    const script = import.meta.filename!;
    const config = join(import.meta.dirname!, "..", "deno.json");
    // The benchmark's own dependencies (cacache) are locked apart from sqlink's.
    const lock = join(import.meta.dirname!, "bench", "deno.lock");
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        ...PERMISSIONS,
        "--config",
        config,
        `--lock=${lock}`,
        script,
        "--child",
        impl,
        workload,
        "--dir",
        dir,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
    if (!output.success) throw new Error(`child ${impl} ${workload} exited ${output.code}`);
    return JSON.parse(lines[lines.length - 1]) as ChildResult;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The best (fastest) put and get over the reps, and the highest peak RSS. */
function best(runs: ChildResult[]): ChildResult {
  return {
    ...runs[0],
    putSeconds: Math.min(...runs.map((r) => r.putSeconds)),
    getSeconds: Math.min(...runs.map((r) => r.getSeconds)),
    peakRssBytes: Math.max(...runs.map((r) => r.peakRssBytes)),
  };
}

async function startupReports(options: Options): Promise<void> {
  const reps = Math.max(10, options.reps * 5);
  if (options.startup) {
    progress("start-up ...");
    console.log(startupReport(await measureStartup(reps)));
    console.log("");
  }
  if (options.bundle) {
    progress("start-up with a bundle ...");
    console.log(bundleStartupReport(await measureBundleStartup(reps)));
    console.log("");
  }
  if (options.cli) {
    progress("script command start-up ...");
    console.log(cliStartupReport(await measureCliStartup(reps)));
    console.log("");
  }
  if (options.concurrency) {
    progress("writers at once ...");
    console.log(concurrencyReport(await measureConcurrency(options.reps)));
    console.log("");
  }
  if (options.evict) {
    progress("eviction ...");
    console.log(evictReport(await measureEvict(Math.max(5, options.reps))));
    console.log("");
  }
  if (options.remote) {
    progress("remote tier over nginx ...");
    console.log(remoteReport(await measureRemote(Math.max(5, options.reps * 2))));
    console.log("");
  }
  if (options.sync) {
    progress("sync of a lock against npm pack ...");
    console.log(syncReport(await measureSync(Math.max(5, options.reps * 2))));
    console.log("");
  }
  if (options.browser) {
    progress("the page's cache in Chromium ...");
    // Loaded only here: playwright-core must not weigh on the child processes' RSS.
    const { browserReport, measureBrowser } = await import("./bench/browser.ts");
    console.log(browserReport(await measureBrowser(Math.max(5, options.reps * 2))));
    console.log("");
  }
  if (options.shell) {
    progress("the shell against sqlite3 ...");
    // Each case takes seconds to minutes: one run each unless --reps says more.
    console.log(shellReport(await measureShell(options.repsGiven ? options.reps : 1)));
    console.log("");
  }
}

async function main(args: string[]): Promise<void> {
  const options = parseArgs(args);
  if (options.child) {
    if (!options.child.dir) throw new Error("--child needs --dir");
    return await runChild(options.child.impl, options.child.workload, options.child.dir);
  }
  const started = performance.now();
  if (options.workloads.length === 0) {
    await startupReports(options);
    return;
  }
  // Reps are the outer loop, so a slow spell of a noisy machine is spread over every scenario
  // instead of hitting all reps of one.
  const runs = new Map<string, ChildResult[]>();
  for (let rep = 1; rep <= options.reps; rep++) {
    for (const workload of options.workloads) {
      for (const impl of options.impls) {
        const tag = `${WORKLOADS[workload].label} ${impl}` +
          (options.reps > 1 ? ` (rep ${rep}/${options.reps})` : "");
        progress(`${tag} ...`);
        const r = await spawnChild(impl, workload);
        progress(
          `${tag}: put ${r.putSeconds.toFixed(3)} s, get ${r.getSeconds.toFixed(3)} s, ` +
            `peak RSS ${(r.peakRssBytes / 1024 / 1024).toFixed(0)} MiB`,
        );
        const key = `${workload}/${impl}`;
        runs.set(key, [...(runs.get(key) ?? []), r]);
      }
    }
  }
  const results = [...runs.values()].map(best);
  const sources = [...new Set(results.map((r) => r.peakRssSource))].join(", ");
  const baseRss = Math.max(...results.map((r) => r.baseRssBytes)) / 1024 / 1024;
  console.log(
    `sqlink cas benchmark — deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs, ` +
      `${Deno.build.os}/${Deno.build.arch}, ${
        options.reps > 1 ? `best of ${options.reps}` : "1 run"
      } per scenario`,
  );
  console.log("");
  console.log(resultsTable(results));
  console.log("");
  console.log(
    `MB = 10^6 bytes. Peak RSS is the high-water mark of the scenario's own process ` +
      `(${sources}); start-up RSS before any data ~${baseRss.toFixed(0)} MiB.`,
  );
  console.log("");
  console.log(ratiosReport(results));
  console.log("");
  await startupReports(options);
  console.log(`Total time ${((performance.now() - started) / 1000).toFixed(0)} s.`);
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (err) {
    console.error(`bench: ${err instanceof Error ? err.message : err}`);
    Deno.exit(1);
  }
}
