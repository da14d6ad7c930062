/**
 * A mistyped subcommand must not become a database file: sqlite3 has no subcommands to
 * mistype, so `sqlite3 bundles list` creating a file named `bundles` is its rule, but a
 * sqlink user who typed `sqlink bundles list` meant `sqlink bundle list`. Only a word that
 * could not be meant as a file is refused: no such file, no dot, slash or colon in it, and
 * within an edit or two of a command word (or one of the verbs people try from package
 * tools). `sqlink newdb.sqlite` and `./bundles` open databases as sqlite3 would.
 */
import { UsageError } from "../lib/errors.ts";
import { SQLINK_COMMANDS } from "./cli.ts";
import { type CommandSpec, suggest } from "./command_line.ts";

/** Verbs of package tools that sqlink spells otherwise, and where to look instead. */
const FOREIGN_VERBS: Record<string, string> = {
  install: "Load an extension with `sqlink --load FILE` (or `.load FILE` in the shell)",
  add: "Add files to the cache with `sqlink cas put FILE`",
  help: "See `sqlink --help`",
};

/** Whether `word` is a bare lowercase word that names no file here. */
function couldBeMistyped(word: string): boolean {
  if (!/^[a-z][a-z-]*$/.test(word)) return false;
  try {
    Deno.lstatSync(word);
    return false;
  } catch {
    return true;
  }
}

/** Each command word, as the command it names: `bundle` → "bundle", `list` → "bundle list". */
function commandWords(): Map<string, string[]> {
  const words = new Map<string, string[]>();
  const add = (word: string, command: string) =>
    words.set(word, [...words.get(word) ?? [], command]);
  for (const top of SQLINK_COMMANDS.commands ?? []) {
    add(top.name, top.name);
    for (const sub of top.commands ?? [] as CommandSpec[]) {
      for (const name of [sub.name, ...sub.aliases ?? []]) add(name, `${top.name} ${name}`);
    }
  }
  return words;
}

/**
 * A usage error when `args[0]` is a mistyped subcommand rather than a database name, else
 * undefined. Nothing has been opened or created yet when it is called.
 */
export function mistypedCommand(args: string[]): UsageError | undefined {
  const [word, ...rest] = args;
  if (word === undefined || !couldBeMistyped(word)) return undefined;
  const words = commandWords();
  const near = suggest(word, [...words.keys()]);
  const foreign = FOREIGN_VERBS[word];
  if (!near && !foreign) return undefined;
  const shown = (command: string) => `"sqlink ${[command, ...rest].join(" ")}"`;
  const meant = near ? words.get(near)!.map(shown).join(" or ") : undefined;
  return new UsageError(`"${word}" is not a sqlink command, and no file has that name`, {
    hint: `${meant ? `Did you mean ${meant}? ` : `${foreign}. `}To open or create a ` +
      `database named ${word}, write ./${word}`,
  });
}
