/** Run the real sqlink CLI as a subprocess, the way users and CI scripts do. */
import { fileURLToPath as fromFileUrl } from "node:url";

/** The repository root. */
export const ROOT = fromFileUrl(new URL("../../", import.meta.url));
/** main.ts, the entry point. */
export const MAIN = fromFileUrl(new URL("../../main.ts", import.meta.url));

/**
 * The permissions sqlink runs with (the same as `deno task sqlink`): all of them, because
 * the shell runs commands (`.shell`, `.output |cmd`) and Deno allows ATTACH only then.
 */
export const PERMISSIONS = ["--allow-all"];

/** What one run printed and how it ended. */
export interface RunResult {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Uint8Array;
}

/** Options for one run: extra environment, stdin, working directory. */
export interface RunOptions {
  env?: Record<string, string>;
  stdin?: string | Uint8Array;
  cwd?: string;
  /**
   * Run without the capabilities that let root ignore file permissions, so tests of
   * unreadable files and read-only directories mean the same as root (as CI runs) as they
   * do for a normal user.
   */
  unprivileged?: boolean;
  /** Kill the run (SIGKILL) after this many milliseconds: a test of a hang must not hang. */
  timeoutMs?: number;
}

/** The argv that runs sqlink with `args`, for callers that spawn it themselves. */
export function sqlinkCommand(args: string[], options: RunOptions = {}): Deno.Command {
  const argv = ["run", "--quiet", ...PERMISSIONS, MAIN, ...args];
  const dropRoot = options.unprivileged && Deno.uid() === 0;
  return new Deno.Command(dropRoot ? "setpriv" : Deno.execPath(), {
    args: dropRoot
      ? ["--bounding-set=-dac_override,-dac_read_search", "--", Deno.execPath(), ...argv]
      : argv,
    env: { NO_COLOR: "1", ...options.env },
    cwd: options.cwd,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
}

/** Run sqlink with `args` and collect its output. */
export function runSqlink(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return collectRun(sqlinkCommand(args, options), options.stdin, options.timeoutMs);
}

/** Spawn `command` (stdin piped when `stdin` is given), feed it `stdin`, collect its output. */
export async function collectRun(
  command: Deno.Command,
  stdin?: string | Uint8Array,
  timeoutMs?: number,
): Promise<RunResult> {
  const child = command.spawn();
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // It ended meanwhile.
    }
  }, timeoutMs);
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin);
    await writer.close();
  }
  const out = await child.output().finally(() => clearTimeout(timer));
  const decoder = new TextDecoder();
  return {
    code: out.code,
    signal: out.signal,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
    stdoutBytes: out.stdout,
  };
}

/** A fresh temporary directory, removed when the returned disposable is disposed. */
export function tempDir(prefix = "sqlink-test-"): { path: string } & Disposable {
  const path = Deno.makeTempDirSync({ prefix });
  return {
    path,
    [Symbol.dispose]() {
      try {
        Deno.chmodSync(path, 0o700);
        Deno.removeSync(path, { recursive: true });
      } catch {
        // Already gone.
      }
    },
  };
}
