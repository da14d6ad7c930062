/**
 * Side-by-side runs of the official sqlite3 shell and sqlink on the same arguments and
 * input, for differential tests. sqlite3 is Debian's package (3.40); `.ci/run` installs it.
 */
import { runSqlink } from "./cli.ts";

/** Debian's sqlite3, the reference shell. */
export const SQLITE3 = "/usr/bin/sqlite3";

/** Whether the reference shell is installed (`.ci/run` installs it). */
export const haveSqlite3 = (() => {
  try {
    return Deno.statSync(SQLITE3).isFile;
  } catch {
    return false;
  }
})();

/** What one program printed and how it ended. */
export interface Outcome {
  stdout: string;
  stderr: string;
  code: number;
}

/** Run Debian's sqlite3 with `args`, feeding it `stdin`. */
export async function runSqlite3(
  args: string[],
  stdin: string | Uint8Array,
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Outcome & { stdoutBytes: Uint8Array }> {
  const child = new Deno.Command(SQLITE3, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin);
  await writer.close();
  const out = await child.output();
  const decoder = new TextDecoder();
  return {
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
    code: out.code,
    stdoutBytes: out.stdout,
  };
}

/**
 * Both programs on the same arguments and input, each in its own working directory
 * (prepared by `setup`, so files they create or change can be compared afterwards).
 * Messages that name the program itself (`sqlite3: Error: …`) are compared with the name
 * taken out.
 */
export async function sideBySide(
  args: string[],
  stdin: string,
  options: { dirs: { sqlite3: string; sqlink: string }; env?: Record<string, string> },
): Promise<{ sqlite3: Outcome; sqlink: Outcome }> {
  const [reference, ours] = await Promise.all([
    runSqlite3(args, stdin, { cwd: options.dirs.sqlite3, env: options.env }),
    runSqlink(args, { stdin, cwd: options.dirs.sqlink, env: options.env }),
  ]);
  // sqlite3 names itself by its argv[0], which Deno spells as the full path.
  const unname = (text: string, name: string) =>
    text.replace(new RegExp(`^\\S*\\b${name}: Error:`, "gm"), "PROGRAM: Error:");
  return {
    sqlite3: {
      stdout: reference.stdout,
      stderr: unname(reference.stderr, "sqlite3"),
      code: reference.code,
    },
    sqlink: { stdout: ours.stdout, stderr: unname(ours.stderr, "sqlink"), code: ours.code },
  };
}
