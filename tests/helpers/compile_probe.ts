/**
 * Whether `deno compile` works on this machine, and an environment in which it surely does
 * not. `deno compile` downloads Deno's runtime (denort) on first use: builds machines and CI
 * are offline, so tests of real compiles run only where the runtime is cached or reachable,
 * and tests of the failure make it fail the same way everywhere.
 *
 * @example
 * ```ts
 * import { compileWorks, offlineCompileEnv } from "../helpers/compile_probe.ts";
 * Deno.test({ name: "real build", ignore: !(await compileWorks()), fn: async () => {} });
 * using offline = await offlineCompileEnv(); // offline.env for a Deno.Command
 * ```
 */
import { join } from "node:path";
import { tempDir } from "./cli.ts";

const PROBE_TIMEOUT_MS = 120_000;

let probe: Promise<boolean> | undefined;

/**
 * True when `deno compile` turns a one-line module into a program that runs (memoized:
 * the probe runs once per test process, and takes up to two minutes).
 */
export function compileWorks(): Promise<boolean> {
  probe ??= runProbe();
  return probe;
}

async function runProbe(): Promise<boolean> {
  using dir = tempDir("sqlink-compile-probe-");
  const module = join(dir.path, "hello.ts");
  const program = join(dir.path, Deno.build.os === "windows" ? "hello.exe" : "hello");
  Deno.writeTextFileSync(module, `console.log("hello from deno compile");\n`);
  try {
    const built = await new Deno.Command(Deno.execPath(), {
      args: ["compile", "--quiet", "--output", program, module],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "null",
      stderr: "null",
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    }).output();
    if (!built.success) return false;
    const ran = await new Deno.Command(program, { stdin: "null", stderr: "null" }).output();
    return ran.success && new TextDecoder().decode(ran.stdout).trim() === "hello from deno compile";
  } catch {
    return false; // timed out, or the output would not start
  }
}

/** Where the real Deno cache keeps npm packages (`deno info --json`). */
async function realNpmCache(): Promise<string> {
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stderr: "null",
  }).output();
  const parsed = JSON.parse(new TextDecoder().decode(info.stdout));
  return parsed.npmCache ?? join(parsed.denoDir, "npm");
}

/**
 * An environment (for a Deno.Command with `clearEnv: true`) in which `deno compile` cannot
 * get Deno's runtime, on any machine: a fresh DENO_DIR (no cached runtime) that shares the
 * real cache's npm packages and esbuild (so sqlink's dependencies resolve and its page
 * builds without a network), every request sent to a proxy on a closed port, and no
 * DENORT_BIN. The directory goes when the result is disposed.
 */
export async function offlineCompileEnv(): Promise<{ env: Record<string, string> } & Disposable> {
  const npm = await realNpmCache();
  const dir = tempDir("sqlink-offline-deno-");
  const denoDir = join(dir.path, "deno");
  Deno.mkdirSync(denoDir);
  Deno.symlinkSync(npm, join(denoDir, "npm"));
  // esbuild (for the page a release builds) is kept beside Deno's runtime downloads: share
  // it when the real cache has it, never the runtime.
  const downloads = join(npm, "..", "dl");
  try {
    for (const entry of Deno.readDirSync(downloads)) {
      if (!entry.name.startsWith("esbuild-")) continue;
      Deno.mkdirSync(join(denoDir, "dl"), { recursive: true });
      Deno.symlinkSync(join(downloads, entry.name), join(denoDir, "dl", entry.name));
    }
  } catch {
    // No downloads yet: the page's build fails offline instead, as one error too.
  }
  const env = Deno.env.toObject();
  for (const name of Object.keys(env)) {
    if (/^(DENORT_BIN|NO_PROXY|ALL_PROXY|HTTPS?_PROXY)$/i.test(name)) delete env[name];
  }
  const proxy = "http://127.0.0.1:9"; // the discard port: nothing listens there
  Object.assign(env, {
    DENO_DIR: denoDir,
    HTTPS_PROXY: proxy,
    HTTP_PROXY: proxy,
    https_proxy: proxy,
    http_proxy: proxy,
    NO_COLOR: "1",
  });
  return { env, [Symbol.dispose]: () => dir[Symbol.dispose]() };
}
