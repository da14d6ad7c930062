/**
 * The spawn-build capability (SPEC §7). Baking runs another program, so a session may do
 * it only when the user granted it on the command line (`sqlink --grant spawn-build …`),
 * and only when Deno's own permission system lets this process run that program.
 */
import { SqlinkError, UsageError } from "../errors.ts";

/** The capabilities a user can grant a session. */
export const CAPABILITIES = ["spawn-build"] as const;

/** One of CAPABILITIES. */
export type Capability = typeof CAPABILITIES[number];

/** What a process was started with: its arguments and the capabilities they grant. */
export interface Launch {
  /** The arguments as given (for telling the user how to relaunch). */
  argv: readonly string[];
  grants: ReadonlySet<Capability>;
}

/** Check the value of `--grant`. */
export function parseGrant(value: string): Capability {
  if ((CAPABILITIES as readonly string[]).includes(value)) return value as Capability;
  throw new UsageError(`Unknown capability "${value}" for --grant`, {
    hint: `sqlink can grant: ${
      CAPABILITIES.join(", ")
    } (e.g. sqlink --grant spawn-build db.sqlite)`,
  });
}

/**
 * Take the `--grant CAP` / `--grant=CAP` options (one dash or two) out of `argv`; returns
 * the granted capabilities and the remaining arguments.
 */
export function takeGrants(argv: readonly string[]): { grants: Set<Capability>; rest: string[] } {
  const grants = new Set<Capability>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    const match = /^--?grant(?:=(.*))?$/.exec(word);
    if (!match) {
      rest.push(word);
      continue;
    }
    if (match[1] === undefined && i + 1 >= argv.length) {
      throw new UsageError(`Missing argument to ${word}`, {
        hint: "Grant a capability by name: --grant spawn-build",
      });
    }
    grants.add(parseGrant(match[1] ?? argv[++i]));
  }
  return { grants, rest };
}

/** Quote `word` for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * How this program was started, as words a user can type again: the compiled executable,
 * or `deno run -A <main module>` when running from source.
 */
export function programWords(): string[] {
  if (Deno.build.standalone) {
    const exe = Deno.execPath();
    const name = exe.split(/[\\/]/).pop()!;
    return [whichOnPath(name) === exe ? name : exe];
  }
  // Not node:url's fileURLToPath: this module is on the shell's start-up path.
  let main = decodeURIComponent(new URL(Deno.mainModule).pathname);
  if (Deno.build.os === "windows") main = main.slice(1).replaceAll("/", "\\");
  const cwd = Deno.cwd();
  const shown = main.startsWith(cwd + "/") ? main.slice(cwd.length + 1) : main;
  return ["deno", "run", "-A", shown];
}

/**
 * The exact command that relaunches this process with `capability` granted (and, from
 * source, with all of Deno's permissions).
 */
export function relaunchCommand(launch: Launch, capability: Capability): string {
  const grant = launch.grants.has(capability) ? [] : ["--grant", capability];
  return [...programWords(), ...grant, ...launch.argv].map(shellQuote).join(" ");
}

/** Refuse, with the command to relaunch with, unless the session was granted `capability`. */
export function requireGrant(launch: Launch, capability: Capability, doing: string): void {
  if (launch.grants.has(capability)) return;
  const relaunch = relaunchCommand(launch, capability);
  throw new SqlinkError(
    "ENOGRANT",
    `${doing} needs the ${capability} capability, and this session was not granted it`,
    { hint: `Relaunch with: ${relaunch}`, details: { capability, relaunch } },
  );
}

/** The absolute path of `name` found on PATH, or undefined. */
export function whichOnPath(name: string): string | undefined {
  const windows = Deno.build.os === "windows";
  const dirs = (Deno.env.get("PATH") ?? "").split(windows ? ";" : ":").filter((d) => d !== "");
  const names = windows && !/\.exe$/i.test(name) ? [`${name}.exe`, name] : [name];
  for (const dir of dirs) {
    for (const file of names) {
      const path = `${dir}${windows ? "\\" : "/"}${file}`;
      try {
        const info = Deno.statSync(path);
        if (info.isFile && (windows || ((info.mode ?? 0o111) & 0o111) !== 0)) return path;
      } catch {
        // Not in this directory.
      }
    }
  }
  return undefined;
}

/**
 * Make sure Deno lets this process run `program`: granted already, or asked for where
 * Deno can prompt (a terminal); otherwise one error naming the missing flag.
 */
export function ensureRunPermission(program: string, launch: Launch, shown = program): void {
  const descriptor = { name: "run", command: program } as const;
  let state = Deno.permissions.querySync(descriptor).state;
  if (state === "prompt" && Deno.stdin.isTerminal() && Deno.stderr.isTerminal()) {
    state = Deno.permissions.requestSync(descriptor).state;
  }
  if (state === "granted") return;
  throw new SqlinkError(
    "ENORUN",
    `Deno does not allow this process to run ${shown}: the --allow-run permission is missing`,
    {
      hint: Deno.build.standalone
        ? "This executable was compiled without --allow-run; use a sqlink built by scripts/release.ts"
        : `Relaunch with Deno's --allow-run (or -A): ${relaunchCommand(launch, "spawn-build")}`,
    },
  );
}
