/**
 * What `sqlink ARGS` does: the script commands (`cas`, `bundle`, `compose`, optionally
 * after `--grant CAP`, `--cas PATH` or `--json`) or, for everything else, the sqlite3-compatible shell, whose
 * start-up is part of the product: it is imported statically (a dynamic import costs
 * ~1.5 ms more) and loads the rest of itself on demand; script commands load their
 * command-line parser only when named. A baked program calls this too, with its
 * embedded bundle.
 */
import type { EmbeddedBundle } from "../lib/build/embedded.ts";
import { runShell } from "./shell.ts";

const SCRIPT_COMMANDS = new Set([
  "cas",
  "bundle",
  "compose",
  "remote",
  "completion",
  "--get-yargs-completions",
]);

/** How sqlink was started beyond its arguments. */
export interface MainOptions {
  /** The bundle a baked program embeds. */
  embedded?: EmbeddedBundle;
}

/**
 * The first word that is not an option a script command also takes before its name:
 * `--grant CAP`, `--cas PATH` and `--json` (which the shell reads too, as -json, so a shell
 * start with it and no script command stays the shell's).
 */
function commandWord(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word === "--cas" || /^--?grant$/.test(word)) i++;
    else if (word !== "--json" && !/^--cas=|^--?grant=/.test(word)) return word;
  }
  return undefined;
}

/** Run sqlink with `args`; returns the exit status. */
export async function main(args: string[], options: MainOptions = {}): Promise<number> {
  const word = commandWord(args);
  if (word !== undefined && SCRIPT_COMMANDS.has(word)) {
    const { runCli } = await import("./cli.ts");
    return await runCli(args);
  }
  return await runShell(args, options.embedded);
}
