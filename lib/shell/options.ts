/**
 * sqlite3's command line, `sqlink [OPTIONS] [FILENAME [SQL...]]`: the first word not
 * starting with `-` names the database, later ones are SQL or dot-commands to run instead
 * of reading stdin, and options may be spelled with one dash or two. Like sqlite3, options
 * are read in two passes: what must be known before the init file runs (database, `-init`,
 * `-bail`, `-batch`, `-readonly`), then, after it, the settings in command-line order.
 */
import { SqlinkError } from "../errors.ts";
import type { ModeName } from "./format/settings.ts";
import type { ShellState } from "./state.ts";
import { clip19 } from "./arg_values.ts";
import { type Capability, parseGrant } from "../bake/grant.ts";

/** Options that take a value, for both passes. */
const VALUE_OPTIONS = new Set(["-separator", "-nullvalue", "-newline", "-cmd", "-init"]);

/**
 * sqlite3's tuning options, accepted and ignored with their values (how many follow):
 * node:sqlite's library is already configured, and none of them changes any output.
 */
const IGNORED_OPTIONS = new Map([
  ["-heap", 1],
  ["-pagecache", 2],
  ["-lookaside", 2],
  ["-threadsafe", 1],
  ["-mmap", 1],
  ["-sorterref", 1],
  ["-maxsize", 1],
  ["-nonce", 1],
  ["-nofollow", 0],
  ["-stats", 0],
  ["-scanstats", 0],
  ["-memtrace", 0],
]);

/** Options applied in the second pass, after the init file. */
export type ShellStep =
  | { kind: "option"; name: string; value?: string }
  | { kind: "cmd"; text: string }
  | { kind: "version" }
  | { kind: "help"; asSqlite3: boolean }
  | { kind: "unknown"; name: string };

/** What the command line asks for. */
export interface ShellArgs {
  /** The database file, or null for an in-memory database. */
  dbPath: string | null;
  /** SQL and dot-commands given after the file name (stdin is then not read). */
  commands: string[];
  /** `-init FILE`, or null for the default `~/.sqlinkrc`. */
  initFile: string | null;
  bail: boolean;
  readOnly: boolean;
  /** `-batch` in the first pass (decides whether the init file announces itself). */
  batch: boolean;
  /** True when no argument at all was given (sqlite3 then warns about the in-memory database). */
  noArguments: boolean;
  /** Second-pass steps, in command-line order. */
  steps: ShellStep[];
  /** `--load PATH`, in order: extensions loaded into every connection. */
  loads: string[];
  /** `--bundle REF` (auto), `--bundle-load REF`, `--bundle-baked REF`. */
  bundle: BundleLaunch | null;
  /** `--grant CAP`: capabilities granted to the session (SPEC §7). */
  grants: Set<Capability>;
  /** `--remote URL|NAME` (repeatable) and `--no-remote`: the remote tier (SPEC §10). */
  remotes: { remote: string[]; noRemote: boolean };
  /** The arguments without the bundle options: what a bundle's baked binary is run with. */
  forwarded: string[];
}

/** How to launch with a bundle (SPEC §6.4). */
export interface BundleLaunch {
  /** A bundle name or set_hash prefix. */
  ref: string;
  /** auto: the baked binary if recorded and intact, else load; or force one path. */
  mode: "auto" | "load" | "baked";
}

const BUNDLE_MODES = new Map<string, BundleLaunch["mode"]>([
  ["-bundle", "auto"],
  ["-bundle-load", "load"],
  ["-bundle-baked", "baked"],
]);

/** Option names sqlite3 knows that take no value. */
const FLAG_OPTIONS = new Set([
  "-html",
  "-list",
  "-quote",
  "-line",
  "-column",
  "-json",
  "-markdown",
  "-table",
  "-box",
  "-csv",
  "-ascii",
  "-tabs",
  "-header",
  "-noheader",
  "-echo",
  "-eqp",
  "-eqpfull",
  "-bail",
  "-batch",
  "-interactive",
  "-readonly",
]);

/** `--name` and `-name` are the same option. */
export function normalizeOption(word: string): string {
  return word.startsWith("--") ? word.slice(1) : word;
}

/** Parse the shell's arguments; throws SqlinkError for an option missing its value. */
export function parseShellArgs(argv: string[]): ShellArgs {
  const args: ShellArgs = {
    dbPath: null,
    commands: [],
    initFile: null,
    bail: false,
    readOnly: false,
    batch: false,
    noArguments: argv.length === 0,
    steps: [],
    loads: [],
    bundle: null,
    grants: new Set(),
    remotes: { remote: [], noRemote: false },
    forwarded: [],
  };
  const bundleWords = new Set<number>();
  // `--bundle-load NAME`, or `--bundle NAME --bundle-load` (then the mode is a plain flag).
  const bundleNamed = argv.some((word) => normalizeOption(word) === "-bundle");
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith("-")) {
      if (args.dbPath === null) args.dbPath = word;
      else args.commands.push(word);
      continue;
    }
    const name = normalizeOption(word);
    const mode = BUNDLE_MODES.get(name);
    if (mode !== undefined) {
      const takesValue = name === "-bundle" || !bundleNamed;
      if (takesValue && i + 1 >= argv.length) {
        throw new SqlinkError("EUSAGE", `missing argument to ${word}`, { exitCode: 1 });
      }
      bundleWords.add(i);
      if (takesValue) bundleWords.add(i + 1);
      const ref = takesValue ? argv[++i] : args.bundle?.ref ?? "";
      if (takesValue && args.bundle?.ref && args.bundle.ref !== ref) {
        throw new SqlinkError(
          "EUSAGE",
          `only one bundle per launch: ${args.bundle.ref} or ${ref}`,
          {
            exitCode: 1,
          },
        );
      }
      const current = args.bundle?.mode ?? "auto";
      args.bundle = { ref, mode: mode === "auto" ? current : mode };
      continue;
    }
    if (name === "-grant" || name.startsWith("-grant=")) {
      if (name === "-grant" && i + 1 >= argv.length) {
        throw new SqlinkError("EUSAGE", `missing argument to ${word}`, { exitCode: 1 });
      }
      args.grants.add(parseGrant(name === "-grant" ? argv[++i] : name.slice("-grant=".length)));
      continue;
    }
    if (name === "-remote") {
      if (i + 1 >= argv.length) {
        throw new SqlinkError("EUSAGE", `missing argument to ${word}`, { exitCode: 1 });
      }
      args.remotes.remote.push(argv[++i]);
      continue;
    }
    if (name === "-no-remote") {
      args.remotes.noRemote = true;
      continue;
    }
    if (name === "-load") {
      if (i + 1 >= argv.length) {
        throw new SqlinkError("EUSAGE", `missing argument to ${word}`, { exitCode: 1 });
      }
      args.loads.push(argv[++i]);
      continue;
    }
    if (VALUE_OPTIONS.has(name)) {
      if (i + 1 >= argv.length) {
        throw new SqlinkError("EUSAGE", `missing argument to ${word}`, { exitCode: 1 });
      }
      const value = argv[++i];
      if (name === "-init") args.initFile = value;
      else if (name === "-cmd") args.steps.push({ kind: "cmd", text: value });
      else args.steps.push({ kind: "option", name, value });
      continue;
    }
    const ignored = IGNORED_OPTIONS.get(name);
    if (ignored !== undefined) {
      if (i + ignored >= argv.length) {
        throw new SqlinkError("EUSAGE", `missing argument to ${word}`, { exitCode: 1 });
      }
      i += ignored;
      continue;
    }
    if (name === "-bail") args.bail = true;
    if (name === "-readonly") args.readOnly = true;
    if (name === "-batch") args.batch = true;
    if (name === "-version") args.steps.push({ kind: "version" });
    // sqlite3 prints -help's usage on stderr and exits 1; `--help` keeps sqlink's own convention
    // (stdout, exit 0) shared with `sqlink cas --help` and the other subcommands.
    else if (name === "-help" || name === "-h") {
      args.steps.push({ kind: "help", asSqlite3: word !== "--help" });
    } else if (FLAG_OPTIONS.has(name)) args.steps.push({ kind: "option", name });
    else args.steps.push({ kind: "unknown", name });
  }
  args.forwarded = argv.filter((_, i) => !bundleWords.has(i));
  return args;
}

/** Apply one second-pass option to the session state, as sqlite3's `main` does. */
export function applyShellOption(state: ShellState, name: string, value = ""): void {
  const f = state.format;
  switch (name) {
    case "-html":
    case "-list":
    case "-line":
    case "-column":
    case "-json":
    case "-markdown":
    case "-table":
    case "-box":
      f.mode = name.slice(1) as ModeName;
      break;
    case "-quote":
      Object.assign(f, { mode: "quote", colSeparator: ",", rowSeparator: "\n" });
      break;
    case "-csv":
      Object.assign(f, { mode: "csv", colSeparator: "," });
      break;
    case "-ascii":
      Object.assign(f, { mode: "ascii", colSeparator: "\x1f", rowSeparator: "\x1e" });
      break;
    case "-tabs":
      Object.assign(f, { mode: "list", colSeparator: "\t", rowSeparator: "\n" });
      break;
    case "-separator":
      f.colSeparator = clip19(value);
      break;
    case "-newline":
      f.rowSeparator = clip19(value);
      break;
    case "-nullvalue":
      f.nullValue = clip19(value);
      break;
    case "-header":
    case "-noheader":
      f.headers = name === "-header";
      f.headerSet = true;
      break;
    case "-echo":
      state.echo = true;
      break;
    case "-eqp":
      state.autoEqp = "on";
      break;
    case "-eqpfull":
      state.autoEqp = "full";
      break;
  }
  state.normalMode = f.mode;
}
