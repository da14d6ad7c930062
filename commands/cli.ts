/**
 * The script-facing command line (`sqlink cas …`, later `bundle` and `compose`), built on
 * yargs for subcommands, generated help and shell completions. Usage mistakes exit 2,
 * failures 1, success 0.
 */
// @ts-types="@types/yargs"
import yargs from "yargs";
import { UsageError } from "../lib/errors.ts";
import { type Launch, takeGrants } from "../lib/build/grant.ts";
import { out, reportError } from "./output.ts";
import { bundleCommand } from "./bundle.ts";
import { casCommand, casOptions } from "./cas.ts";
import { composeCommand } from "./compose.ts";
import { remoteCommand } from "./remote.ts";

let exitCode = 0;

/** Let a command end with a non-zero code without throwing (e.g. verify found damage). */
export function setExitCode(code: number): void {
  exitCode = Math.max(exitCode, code);
}

let launch: Launch = { argv: [], grants: new Set() };

/** How the running command was launched: its grants, and the arguments to relaunch with. */
export function cliLaunch(): Launch {
  return launch;
}

/** How the command line was reached. */
export interface CliOptions {
  /**
   * As the shell's dot-command (`.cas …` or `.bundle …`, with `args` starting `["cas", …]`):
   * help and hints then spell commands `.cas put`, not `sqlink cas put`.
   */
  dotCommand?: boolean;
  /**
   * The session's launch, for a dot-command (its grants come from the shell's command
   * line; a dot-command cannot grant itself anything).
   */
  launch?: Launch;
}

/**
 * Parse `args`, run the command, and return the exit code. It never exits the process:
 * the shell runs `.cas` through it, with output sent to its sinks by `withOutput`.
 */
export async function runCli(args: string[], options: CliOptions = {}): Promise<number> {
  exitCode = 0;
  if (options.launch) {
    launch = options.launch;
  } else {
    try {
      const taken = takeGrants(args);
      launch = { argv: args, grants: taken.grants };
      args = taken.rest;
    } catch (err) {
      return reportError(err, { json: args.includes("--json") });
    }
  }
  const spell = (text: string) =>
    options.dotCommand ? text.replaceAll(`sqlink ${args[0]}`, `.${args[0]}`) : text;
  // --cas and --json may come before the command too (`sqlink --cas X cas ls`): declared
  // here, yargs knows --json takes no value and does not read "cas" as one.
  const parser = casOptions(yargs(args))
    .scriptName("sqlink")
    .usage("Usage: sqlink <command> [options]\n       sqlink [OPTIONS] [FILENAME [SQL...]]")
    .command(casCommand)
    .command(bundleCommand)
    .command(composeCommand)
    .command(remoteCommand)
    .completion("completion", "Print a bash/zsh completion script for sqlink")
    .demandCommand(1, "Name a command")
    .strict()
    .version(false)
    .help()
    .alias("h", "help")
    .wrap(Math.min(100, terminalWidth()))
    .exitProcess(false)
    .fail((message, err) => {
      // yargs reports its own parse failures as YError; anything else came from a handler.
      if (err && err.name !== "YError") throw err;
      throw new UsageError(usageMessage(message ?? err?.message ?? "Invalid command line", args), {
        hint: `Run "${spell(commandPath(args))} --help" for usage`,
      });
    });
  try {
    // With a callback, yargs hands over what it would print (help, completions) instead of
    // writing it with console.log, so it goes wherever `out` goes. Completion parses again
    // inside the parse, so the callback also runs for inner parses that printed nothing.
    let printed = "";
    await parser.parseAsync(args, {}, (_err, _argv, output) => {
      if (output) printed = output;
    });
    if (printed) out(spell(printed) + "\n");
    return exitCode;
  } catch (err) {
    // A reader that went away is the caller's to handle (the shell ends quietly).
    if (err instanceof Deno.errors.BrokenPipe) throw err;
    return reportError(err, { json: args.includes("--json") });
  }
}

const COMMAND_WORDS = new Set([
  "cas",
  "bundle",
  "compose",
  "build",
  "save",
  "list",
  "show",
  "delete",
  "export",
  "import",
  "put",
  "get",
  "ls",
  "uri",
  "set",
  "rm",
  "stats",
  "gc",
  "verify",
  "export",
  "import",
  "remote",
  "add",
  "push",
  "pull",
]);

/**
 * `sqlink cas put` for `["cas", "put", "x", "--bogus"]` or `["--cas", "c", "cas", "put"]`: the
 * command a help hint should name, past any options before or between its words.
 */
function commandPath(args: string[]): string {
  const words = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--cas") i++;
    else if (args[i].startsWith("-")) continue;
    else if (COMMAND_WORDS.has(args[i])) words.push(args[i]);
    else break;
  }
  return ["sqlink", ...words].join(" ");
}

/** yargs says "Unknown argument: bogus" for `--bogus`; name options as the user typed them. */
function usageMessage(message: string, args: string[]): string {
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (!unknown) return message;
  const names = unknown[1].split(", ").map((name) => {
    const typed = args.find((a) =>
      a === `--${name}` || a === `-${name}` || a.startsWith(`--${name}=`)
    );
    return typed ? `option "${typed.split("=")[0]}"` : `argument "${name}"`;
  });
  return `Unknown ${names.join(", ")}`;
}

function terminalWidth(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 100;
  }
}
