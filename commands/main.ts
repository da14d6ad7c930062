/**
 * What `sqlink ARGS` does: the script commands (`cas`, `bundle`, `compose`, `remote`,
 * `version`, `completion`, `web`, optionally after `--grant CAP`, `--cas PATH` or `--json`) or, for
 * everything else, the sqlite3-compatible shell. Each side is imported only when chosen:
 * the shell's modules cost a script command ~8 ms, the dynamic import costs the shell less
 * (`deno task bench --only startup,cli`; deno.json's lazy-dynamic-imports keeps Deno from
 * walking the side not taken). A baked program calls this too, with its embedded bundle.
 */
import type { EmbeddedBundle } from "../lib/bake/embedded.ts";

const SCRIPT_COMMANDS = new Set([
  "cas",
  "bundle",
  "compose",
  "remote",
  "ext",
  "lock",
  "sync",
  "completion",
  "version",
  "web",
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
  if (args[0] === "--get-completions") {
    const { printCompletions } = await import("./completion.ts");
    return await printCompletions(args.slice(1));
  }
  if (word !== undefined && SCRIPT_COMMANDS.has(word)) {
    const { runCli } = await import("./cli.ts");
    return await runCli(args);
  }
  if (word === args[0] && word !== undefined && /^[a-z][a-z-]*$/.test(word)) {
    // A bare word could be a mistyped subcommand: refused before it becomes a database file.
    const { mistypedCommand } = await import("./mistyped.ts");
    const mistake = mistypedCommand(args);
    if (mistake) {
      const { reportError } = await import("./output.ts");
      return reportError(mistake);
    }
  }
  const { runShell } = await import("./shell/shell.ts");
  return await runShell(args, options.embedded);
}
