/**
 * Baked programs in tests, where `deno compile` cannot run to the end (it downloads Deno's
 * runtime, denort, from dl.deno.land: our machines and CI are offline).
 *
 * - The *staged program* of a bundle (lib/bake/bake.ts `stageBundle`) is exactly what
 *   `deno compile` turns into the baked binary: run under `deno run` it behaves as the
 *   binary would (its embedded set loaded and verified at start).
 * - A *stand-in* baked binary: a `#!/bin/sh` script at the bundle's binary path that execs
 *   its staged program, stamped and recorded as a build is. A recorded binary cannot be
 *   produced here any other way, and the stand-in really is the baked program, so tests of
 *   `--bundle` running it and of builds reusing it mean what they would with a real one.
 * - An *emulated compiler*: a `deno` (for SQLINK_DENO) that does what `deno compile` does
 *   with a staged build, minus the runtime download: it checks the arguments, keeps a copy
 *   of the stage, and writes to `--output` a small native program (built with gcc, which
 *   the tests need anyway) that runs the copy. With it the whole build path (stage,
 *   compile to a temporary name, rename, stamp, record) runs for real.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { collectRun, MAIN, type RunResult, tempDir } from "./cli.ts";
import type { TestCache } from "./extensions.ts";
import { closeCas, openCas } from "../../lib/cas/service.ts";
import type { CasStore } from "../../lib/cas/store.ts";
import { type Bundle, findBundle } from "../../lib/bundle/registry.ts";
import { stageBundle } from "../../lib/bake/bake.ts";
import { binaryPath, ensureTargetDir, recordBinary, sha256File } from "../../lib/bake/binary.ts";
import { whichOnPath } from "../../lib/bake/grant.ts";
import type { SourceSnapshot } from "../../lib/bake/source.ts";
import { ENTRY_FILE } from "../../lib/bake/stage.ts";
import type { Target } from "../../lib/bake/targets.ts";
import { writeStamp } from "../../lib/ext/stamp.ts";

/** This machine's target triple. */
export const HOST_TARGET = Deno.build.target as Target;

/** How a staged program runs: as `deno compile` builds it (no type check, frozen lock). */
const STAGED_RUN_FLAGS = ["run", "--quiet", "-A", "--no-check", "--frozen"];

/** Deno's permissions without --allow-run: sqlink can do everything but spawn. */
export const NO_RUN_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-ffi",
  "--allow-sys",
];

/** Run `fn` with the test cache's cas-cache opened in this process (closed after). */
export function withCas<T>(cache: TestCache, fn: (cas: CasStore) => T): T {
  const cas = openCas({ cas: cache.casFile });
  try {
    return fn(cas);
  } finally {
    closeCas();
  }
}

/** `withCas` for an async `fn`: the cas-cache stays open until it settles. */
export async function withCasAsync<T>(
  cache: TestCache,
  fn: (cas: CasStore) => Promise<T>,
): Promise<T> {
  const cas = openCas({ cas: cache.casFile });
  try {
    return await fn(cas);
  } finally {
    closeCas();
  }
}

/** The bundle `ref` of the test cache, as the registry reads it now. */
export function bundleOf(cache: TestCache, ref: string): Bundle {
  return withCas(cache, (cas) => findBundle(cas, ref));
}

/** Options of one run of a program. */
export interface ProgramRunOptions {
  /** The cache root (SQLINK_CACHE_DIR) of the run; default the test cache's. */
  root?: string;
  env?: Record<string, string>;
  stdin?: string;
  cwd?: string;
}

/** Spawn `command args`, feed stdin, collect what it printed. */
export function runCommand(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; stdin?: string; cwd?: string; clearEnv?: boolean } = {},
): Promise<RunResult> {
  return collectRun(
    new Deno.Command(command, {
      args,
      env: options.env,
      clearEnv: options.clearEnv,
      cwd: options.cwd,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }),
    options.stdin,
  );
}

/** The environment sqlink runs with against `cache` (cache root `root`). */
function cacheEnv(cache: TestCache, root: string): Record<string, string> {
  return { ...cache.env, SQLINK_CACHE_DIR: root, NO_COLOR: "1" };
}

/** A bundle's staged program, kept for the life of the test cache. */
export interface StagedProgram {
  /** The program's directory (sqlink's source, source.snapshot, members/, baked_main.ts). */
  dir: string;
  bundle: Bundle;
  /** The deno arguments that run it with `args`. */
  argv(args: string[]): string[];
  /** Run it with `args` exactly as given. */
  run(args: string[], options?: ProgramRunOptions): Promise<RunResult>;
  /** Run it as a shell: `-init /dev/null` first, so no ~/.sqlinkrc runs. */
  shell(args: string[], options?: ProgramRunOptions): Promise<RunResult>;
}

/**
 * Stage bundle `ref` of `cache` with the product's `stageBundle` (what `deno compile`
 * compiles), then move the stage out of `<root>/builds` (which tests check for leftovers)
 * into the test's directory.
 */
export function stageProgram(
  cache: TestCache,
  ref: string,
  options: { source?: () => SourceSnapshot } = {},
): StagedProgram {
  const { bundle, staged } = withCas(cache, (cas) => {
    const bundle = findBundle(cas, ref);
    const staged = stageBundle(
      { cas, root: cache.root, source: options.source },
      bundle,
      HOST_TARGET,
    );
    return { bundle, staged };
  });
  assert.equal(staged.entry, ENTRY_FILE);
  const dir = Deno.makeTempDirSync({ dir: cache.dir, prefix: `staged-${bundle.name}-` });
  Deno.removeSync(dir);
  Deno.renameSync(staged.dir, dir);
  // stageBundle made <root>/builds/<set>: leave no empty directories behind.
  for (const empty of [join(cache.root, "builds", bundle.setHash), join(cache.root, "builds")]) {
    try {
      Deno.removeSync(empty);
    } catch {
      break;
    }
  }
  const argv = (args: string[]) => [
    ...STAGED_RUN_FLAGS,
    "--config",
    join(dir, "deno.json"),
    join(dir, ENTRY_FILE),
    ...args,
  ];
  const run = (args: string[], o: ProgramRunOptions = {}) =>
    runCommand(Deno.execPath(), argv(args), {
      env: { ...cacheEnv(cache, o.root ?? cache.root), ...o.env },
      stdin: o.stdin,
      cwd: o.cwd,
    });
  return {
    dir,
    bundle,
    argv,
    run,
    shell: (args, o) => run(["-init", "/dev/null", ...args], o),
  };
}

/** Quote `word` for sh. */
function sq(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A recorded stand-in baked binary. */
export interface StandIn {
  /** `<root>/builds/<set_hash>/<target>/sqlink`. */
  path: string;
  staged: StagedProgram;
  bundle: Bundle;
}

/**
 * Install and record a stand-in baked binary for bundle `ref` on this machine's target, as
 * a build would (installed, stamped, then recorded): a shell script that runs the bundle's
 * staged program with the arguments it is given (see the module comment for why).
 */
export function recordStandIn(cache: TestCache, ref: string, staged?: StagedProgram): StandIn {
  const program = staged ?? stageProgram(cache, ref);
  const bundle = bundleOf(cache, ref);
  ensureTargetDir(cache.root, bundle.setHash, HOST_TARGET);
  const path = binaryPath(cache.root, bundle.setHash, HOST_TARGET);
  Deno.writeTextFileSync(
    path,
    "#!/bin/sh\n" +
      `# Stand-in for the baked binary of bundle "${bundle.name}": its staged program.\n` +
      `exec ${[Deno.execPath(), ...program.argv([])].map(sq).join(" ")} "$@"\n`,
    { mode: 0o755 },
  );
  Deno.chmodSync(path, 0o755);
  writeStamp(path, `sha256:${sha256File(path)}`);
  withCas(cache, (cas) => recordBinary(cas, bundle, HOST_TARGET, path));
  return { path, staged: program, bundle: bundleOf(cache, ref) };
}

/** Change a file the way damage would: one byte appended. */
export function tamper(path: string): void {
  const file = Deno.openSync(path, { append: true });
  try {
    file.writeSync(new Uint8Array([0x0a]));
  } finally {
    file.close();
  }
}

/** One row of `__cas_bundle_binary`, with its bundle's name. */
export interface BinaryRow {
  name: string;
  target: string;
  path: string;
}

/** What `__cas_bundle_binary` holds, by bundle name then target. */
export function binaryRows(cache: TestCache): BinaryRow[] {
  return cache.sql(
    `SELECT n.name AS name, b.target_triple AS target, b.binary_path AS path
     FROM __cas_bundle_binary b JOIN __cas_bundle n ON n.id = b.bundle_id
     ORDER BY n.name, b.target_triple`,
  ).map((r) => ({ name: String(r.name), target: String(r.target), path: String(r.path) }));
}

/** Every file and directory under `dir`, relative and sorted; [] when it does not exist. */
export function treeOf(dir: string): string[] {
  const found: string[] = [];
  const visit = (path: string, rel: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(path)];
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
      found.push(entry.isDirectory ? `${child}/` : child);
      if (entry.isDirectory) visit(join(path, entry.name), child);
    }
  };
  visit(dir, "");
  return found.sort();
}

/**
 * The environment of a run in which no `deno` can be found: Deno's environment (so the
 * test's deno finds its cache) without SQLINK_DENO or DENORT_BIN, PATH an empty directory,
 * and the test cache's variables.
 */
export function noDenoEnv(cache: TestCache, extra: Record<string, string> = {}) {
  const env = Deno.env.toObject();
  for (const name of Object.keys(env)) {
    if (/^(SQLINK_|DENORT_BIN$)/.test(name)) delete env[name];
  }
  const empty = join(cache.dir, "empty-path");
  Deno.mkdirSync(empty, { recursive: true });
  return { ...env, ...cacheEnv(cache, cache.root), PATH: empty, ...extra };
}

/**
 * Run sqlink from source with the given Deno permissions and exactly `env` (clearEnv), via
 * the absolute path of this deno, so that an empty PATH does not stop it starting.
 */
export function runSqlinkWith(
  permissions: string[],
  args: string[],
  options: { env: Record<string, string>; stdin?: string; cwd?: string },
): Promise<RunResult> {
  return runCommand(Deno.execPath(), ["run", "--quiet", ...permissions, MAIN, ...args], {
    ...options,
    clearEnv: true,
  });
}

/** What the emulated compiler saw on one run. */
export interface CompileCall {
  args: string[];
  cwd: string;
  /** The stage's files (relative, sorted; directories end in `/`). */
  stage: string[];
  /** Where it kept its copy of the stage (what the program it wrote runs). */
  copy: string;
}

/** How the emulated compiler behaves. */
export type EmulatedMode =
  /** Compile: write a native program that runs the stage. */
  | "ok"
  /** Write half a program to --output, then fail like a compile error. */
  | "partial"
  /** Succeed, but write a file that is not a program. */
  | "garbage";

/** An emulated `deno compile` (see the module comment), for SQLINK_DENO. */
export interface EmulatedCompiler extends Disposable {
  /** The executable to point SQLINK_DENO at. */
  deno: string;
  /** Every run so far, in order. */
  calls(): CompileCall[];
}

/** True when the emulated compiler can work here (it needs gcc). */
export function canEmulateCompile(): boolean {
  return whichOnPath("gcc") !== undefined && Deno.build.os !== "windows";
}

/**
 * A `deno` that emulates `deno compile` on a staged build: it checks that it was asked to
 * compile the stage's entry for a target, with `--output`, keeps a copy of the stage, and
 * (in mode "ok") writes a native program that runs `deno run` on that copy with the
 * arguments it is given, as the compiled program would run the embedded one.
 */
export function emulatedCompiler(mode: EmulatedMode = "ok"): EmulatedCompiler {
  const home = tempDir("sqlink-emulated-deno-");
  const gcc = whichOnPath("gcc");
  assert.ok(gcc, "the emulated compiler needs gcc");
  const log = join(home.path, "calls.jsonl");
  const script = join(home.path, "emulate.ts");
  Deno.writeTextFileSync(
    script,
    `const [command, ...rest] = Deno.args;
const cwd = Deno.cwd();
const at = (flag) => rest[rest.indexOf(flag) + 1];
const entry = rest.at(-1);
const stage = [];
const walk = (dir, rel) => {
  for (const e of Deno.readDirSync(dir)) {
    const child = rel ? rel + "/" + e.name : e.name;
    stage.push(e.isDirectory ? child + "/" : child);
    if (e.isDirectory) walk(dir + "/" + e.name, child);
  }
};
walk(cwd, "");
stage.sort();
const copy = Deno.makeTempDirSync({ dir: ${JSON.stringify(home.path)}, prefix: "stage-" });
const cp = new Deno.Command("cp", { args: ["-R", cwd + "/.", copy] }).outputSync();
if (!cp.success) throw new Error("cp failed");
Deno.writeTextFileSync(${
      JSON.stringify(log)
    }, JSON.stringify({ args: Deno.args, cwd, stage, copy }) + "\\n", { append: true });
if (command !== "compile" || !at("--output") || !at("--target") || !entry) {
  console.error("error: the emulated deno only compiles");
  Deno.exit(2);
}
const mode = ${JSON.stringify(mode)};
if (mode === "partial") {
  Deno.writeFileSync(at("--output"), new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]));
  console.error("error: Module not found (emulated)");
  Deno.exit(1);
}
if (mode === "garbage") {
  Deno.writeTextFileSync(at("--output"), "#!/bin/sh\\necho not a program\\n");
  Deno.exit(0);
}
const words = [${JSON.stringify(Deno.execPath())}, ${
      JSON.stringify(STAGED_RUN_FLAGS)
    }, "--config", copy + "/deno.json", copy + "/" + entry].flat();
const c = "#include <stdlib.h>\\n#include <stdio.h>\\n#include <unistd.h>\\n" +
  "int main(int argc, char **argv) {\\n" +
  "  char **args = calloc(argc + " + (words.length + 1) + ", sizeof(char *));\\n" +
  "  int n = 0;\\n" +
  words.map((w) => "  args[n++] = " + JSON.stringify(w) + ";\\n").join("") +
  "  for (int i = 1; i < argc; i++) args[n++] = argv[i];\\n" +
  "  execv(args[0], args);\\n  perror(\\"execv\\");\\n  return 127;\\n}\\n";
Deno.writeTextFileSync(copy + ".c", c);
const built = new Deno.Command(${
      JSON.stringify(gcc)
    }, { args: ["-O0", "-o", at("--output"), copy + ".c"] }).outputSync();
if (!built.success) {
  console.error("error: gcc failed: " + new TextDecoder().decode(built.stderr));
  Deno.exit(1);
}
`,
  );
  const deno = join(home.path, "deno");
  Deno.writeTextFileSync(
    deno,
    `#!/bin/sh\nPATH=${sq(Deno.env.get("PATH") ?? "/usr/bin:/bin")}; export PATH\n` +
      `exec ${sq(Deno.execPath())} run --quiet -A --no-config ${sq(script)} "$@"\n`,
    { mode: 0o755 },
  );
  Deno.chmodSync(deno, 0o755);
  return {
    deno,
    calls() {
      try {
        return Deno.readTextFileSync(log).trim().split("\n").filter((l) => l !== "").map((l) =>
          JSON.parse(l)
        );
      } catch {
        return [];
      }
    },
    [Symbol.dispose]: () => home[Symbol.dispose](),
  };
}
