/**
 * A small command-line engine for the script commands: a tree of commands declared as data
 * (names, arguments, options, help text), parsed strictly, with generated help and the
 * candidates shell completion asks for. Handlers are loaded only once their command is
 * named. It replaced yargs, whose import alone (cliui, two string-widths and their emoji
 * regex) took longer than a whole bare Deno start (`deno task bench --only cli`).
 */
import { UsageError } from "../lib/errors.ts";

/** What a parsed command line holds: each argument and option by its long name. */
export type Args = Record<string, string | string[] | boolean | undefined>;

/** Where a completion's candidates come from, beyond fixed choices. */
export type CompletionSource = "files" | "bundles" | "targets" | "shells";

/** One `--name` option. */
export interface OptionSpec {
  /** A flag, or an option that takes one value (given again: an error, unless `array`). */
  type: "boolean" | "string";
  describe: string;
  /** A one-letter alias such as `o` for `-o`. */
  alias?: string;
  /** The option may be given several times; its values are collected in order. */
  array?: boolean;
  default?: boolean | string;
  /** The only values accepted. */
  choices?: readonly string[];
  /** The option must be given; this is the message when it is not. */
  required?: string;
  /** Declared on a command group, it is accepted by every command below it. */
  global?: boolean;
  /** What completes its value. */
  complete?: CompletionSource;
}

/** A command, or a group of commands (`cas`, `cas uri`). */
export interface CommandSpec {
  name: string;
  /** Its arguments, yargs-style: `<ref>` required, `[ref]` optional, `<files..>` one or more. */
  args?: string;
  aliases?: string[];
  describe: string;
  /** What each argument is, and what completes it. */
  positionals?: Record<string, { describe?: string; complete?: CompletionSource }>;
  options?: Record<string, OptionSpec>;
  examples?: [string, string][];
  /** Subcommands; a group without `run` needs one of them. */
  commands?: CommandSpec[];
  /** The message when a group is named without a subcommand. */
  demand?: string;
  /** Kept out of help and completion (still parsed). */
  hidden?: boolean;
  run?: (argv: Args) => unknown;
}

/** A parsed command line: the command path from the root, its arguments, and whether help was asked. */
export interface Parsed {
  path: CommandSpec[];
  argv: Args;
  help: boolean;
}

interface Positional {
  name: string;
  required: boolean;
  variadic: boolean;
}

/** `<ref> [more..]` as positional declarations. */
export function positionals(spec: CommandSpec): Positional[] {
  return (spec.args ?? "").split(/\s+/).filter(Boolean).map((word) => ({
    name: word.slice(1, -1).replace(/\.\.$/, ""),
    required: word.startsWith("<"),
    variadic: word.endsWith("..>") || word.endsWith("..]"),
  }));
}

/** Every option visible at the end of `path`: the globals of its groups, then its own. */
export function visibleOptions(path: CommandSpec[]): Map<string, OptionSpec> {
  const options = new Map<string, OptionSpec>();
  path.forEach((spec, i) => {
    for (const [name, option] of Object.entries(spec.options ?? {})) {
      if (i === path.length - 1 || option.global) options.set(name, option);
    }
  });
  return options;
}

/** The subcommand of `spec` called `word` (by name or alias). */
export function subcommand(spec: CommandSpec, word: string): CommandSpec | undefined {
  return spec.commands?.find((c) => c.name === word || c.aliases?.includes(word));
}

function findOption(
  options: Map<string, OptionSpec>,
  name: string,
): [string, OptionSpec] | undefined {
  const direct = options.get(name);
  if (direct) return [name, direct];
  for (const [long, option] of options) if (option.alias === name) return [long, option];
  return undefined;
}

/** `sqlink cas put` for a path. */
export function commandName(path: CommandSpec[]): string {
  return path.map((c) => c.name).join(" ");
}

/**
 * Parse `args` against the tree under `root`. Options are those of the commands named so
 * far (so `--cas X cas ls` works when the root declares `--cas`). Every mistake is a
 * UsageError; `--help` anywhere stops at the command reached.
 */
export function parseCommandLine(root: CommandSpec, args: string[]): Parsed {
  const path = [root];
  const argv: Args = {};
  const words: string[] = [];
  let options = visibleOptions(path);
  const given = new Set<string>();
  const set = (name: string, option: OptionSpec, value: string | boolean, typed: string) => {
    if (option.type === "string" && option.array) {
      argv[name] = [...(argv[name] as string[] | undefined ?? []), value as string];
    } else if (option.type === "string" && given.has(name)) {
      const before = argv[name] as string;
      throw new UsageError(`Too many values for ${typed}: ${before}, ${value}`, {
        hint: `Give ${typed} once`,
      });
    } else argv[name] = value;
    given.add(name);
  };
  const end = args.indexOf("--");
  // With --help anywhere, nothing else is checked: help for the command reached is printed.
  const help = (end < 0 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word === "--") {
      words.push(...args.slice(i + 1));
      break;
    }
    const option = /^(--?)([^=]+)(?:=(.*))?$/s.exec(word);
    if (option && word !== "-" && !/^-\d/.test(word)) {
      if (word === "--help" || word === "-h") continue;
      try {
        i = takeOption(option, args, i, options, set);
      } catch (err) {
        if (!help) throw err;
      }
      continue;
    }
    const current = path[path.length - 1];
    const sub = words.length === 0 ? subcommand(current, word) : undefined;
    if (sub) {
      path.push(sub);
      options = visibleOptions(path);
      continue;
    }
    words.push(word);
  }
  const command = path[path.length - 1];
  if (help) return { path, argv, help };
  if (command.commands && !command.run) {
    if (words.length > 0) {
      const near = suggest(words[0], command.commands.flatMap((c) => [c.name, ...c.aliases ?? []]));
      throw new UsageError(`Unknown argument "${words[0]}"`, {
        hint: near ? `Did you mean "${commandName(path)} ${near}"?` : undefined,
      });
    }
    throw new UsageError(command.demand ?? "Name a command");
  }
  assignPositionals(command, words, argv);
  for (const [name, spec] of visibleOptions(path)) {
    if (argv[name] !== undefined) continue;
    if (spec.required) throw new UsageError(spec.required);
    if (spec.default !== undefined) argv[name] = spec.default;
    else if (spec.type === "boolean") argv[name] = false;
  }
  return { path, argv, help };
}

/** Read the option `match` found at `args[i]` (and its value); returns the index read up to. */
function takeOption(
  match: RegExpExecArray,
  args: string[],
  i: number,
  options: Map<string, OptionSpec>,
  set: (name: string, option: OptionSpec, value: string | boolean, typed: string) => void,
): number {
  const [, dashes, rawName, inline] = match;
  // `--no-NAME` negates a flag NAME, unless a flag is itself declared as `no-NAME` (`--no-remote`).
  let found = findOption(options, rawName);
  let negated = false;
  if (!found && dashes === "--" && rawName.startsWith("no-")) {
    const positive = findOption(options, rawName.slice(3));
    if (positive?.[1].type === "boolean") [found, negated] = [positive, true];
  }
  const typed = `${dashes}${rawName}`;
  if (!found) throw new UsageError(`Unknown option "${typed}"`);
  const [name, spec] = found;
  if (spec.type === "boolean") {
    if (inline !== undefined && inline !== "true" && inline !== "false") {
      throw new UsageError(`Option ${typed} takes no value, but was given "${inline}"`);
    }
    set(name, spec, negated === (inline === "false"), typed);
    return i;
  }
  let value = inline;
  if (value === undefined) {
    const next = args[i + 1];
    if (next === undefined || (next.startsWith("--") && next.length > 2)) {
      throw new UsageError(`Option ${typed} needs a value`);
    }
    value = next;
    i++;
  }
  if (spec.choices && !spec.choices.includes(value)) {
    throw new UsageError(
      `Invalid value "${value}" for ${typed}: choose one of ${spec.choices.join(", ")}`,
    );
  }
  set(name, spec, value, typed);
  return i;
}

function assignPositionals(command: CommandSpec, words: string[], argv: Args): void {
  const declared = positionals(command);
  let at = 0;
  for (const [index, p] of declared.entries()) {
    if (p.variadic) {
      // A variadic argument takes what the arguments after it leave.
      const after = declared.length - index - 1;
      const take = words.slice(at, Math.max(at, words.length - after));
      if (p.required && take.length === 0) break;
      argv[p.name] = take;
      at += take.length;
      continue;
    }
    if (at < words.length) argv[p.name] = words[at++];
    else if (p.required) break;
  }
  const missing = declared.filter((p) =>
    p.required && (argv[p.name] === undefined || (argv[p.name] as string[]).length === 0)
  );
  if (missing.length > 0) {
    throw new UsageError(
      `Not enough arguments: ${command.name} needs ${missing.map(shown).join(" ")}`,
    );
  }
  if (at < words.length) throw new UsageError(`Unknown argument "${words[at]}"`);
}

function shown(p: Positional): string {
  return `<${p.name}${p.variadic ? ".." : ""}>`;
}

/** The word of `candidates` nearest to `word` when it is a plausible typo of it. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  // One edit for short words, two from six letters up: "instal", "bundles", "verfy".
  const allowed = word.length >= 6 ? 2 : 1;
  return best !== undefined && bestDistance <= allowed && bestDistance < word.length
    ? best
    : undefined;
}

/** Damerau-Levenshtein distance (a swap of two neighbours counts as one edit). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** Help for the command at the end of `path`, `width` columns wide. */
export function helpText(program: string, path: CommandSpec[], width = 100): string {
  const command = path[path.length - 1];
  const name = [program, ...path.slice(1).map((c) => c.name)].join(" ");
  const sections: string[] = [];
  sections.push(`${name}${command.args ? ` ${command.args}` : ""}`);
  sections.push(wrap(command.describe, width));
  const visible = (command.commands ?? []).filter((c) => !c.hidden);
  if (visible.length > 0) {
    sections.push(
      "Commands:\n" + columns(
        visible.map((c) => [`${name} ${c.name}${c.args ? ` ${c.args}` : ""}`, c.describe]),
        width,
      ),
    );
  }
  const args = positionals(command).map((p) => [
    p.name,
    [command.positionals?.[p.name]?.describe, p.required ? "(required)" : undefined]
      .filter(Boolean).join(" "),
  ]);
  if (args.length > 0) sections.push("Arguments:\n" + columns(args, width));
  const options = [...visibleOptions(path)].map(([long, o]) => {
    const flag = `${o.alias ? `-${o.alias}, ` : "    "}--${long}${
      o.type === "string" ? ` ${o.choices ? o.choices.join("|") : "VALUE"}` : ""
    }`;
    const notes = [
      o.required ? "(required)" : undefined,
      o.array ? "(repeatable)" : undefined,
      o.type === "string" && o.default !== undefined ? `(default: ${o.default})` : undefined,
    ].filter(Boolean).join(" ");
    return [flag, notes ? `${o.describe} ${notes}` : o.describe];
  });
  options.push(["-h, --help", "Show help"]);
  sections.push("Options:\n" + columns(options, width));
  if (command.examples?.length) {
    sections.push("Examples:\n" + columns(command.examples, width));
  }
  return sections.join("\n\n") + "\n";
}

/** Two columns, the second wrapped to `width`; a long first cell has the second below it. */
function columns(rows: string[][], width: number): string {
  const left = Math.max(0, ...rows.map((r) => r[0].length).filter((n) => n <= 40));
  return rows.map(([a, b]) => {
    const pad = " ".repeat(left + 4);
    const text = wrap(b, Math.max(30, width - left - 4)).replaceAll("\n", "\n" + pad);
    return a.length > left
      ? `  ${a}\n${pad}${text}`.trimEnd()
      : `  ${a.padEnd(left)}  ${text}`.trimEnd();
  }).join("\n");
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(" ")) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  lines.push(current);
  return lines.join("\n");
}
