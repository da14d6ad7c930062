/**
 * The script-facing command line (`sqlink cas …`, `bundle`, `compose`, `remote`, `version`,
 * `completion`): the tree of commands, parsed by commands/command_line.ts. Usage mistakes exit
 * 2, failures 1, success 0. Only the named command's code is loaded.
 */
import { UsageError } from "../lib/errors.ts";
import { type Launch, takeGrants } from "../lib/bake/grant.ts";
import { out, reportError } from "./output.ts";
import { bundleCommand } from "./bundle.ts";
import { casCommand } from "./cas.ts";
import { extCommand } from "./ext.ts";
import { lockCommand, syncCommand } from "./lock.ts";
import { CAS_OPTIONS, GRANT, TARGET } from "./options.ts";
import { remoteCommand } from "./remote.ts";
import {
  commandName,
  type CommandSpec,
  helpText,
  parseCommandLine,
  subcommand,
} from "./command_line.ts";

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

/** The `compose` command. */
const composeCommand: CommandSpec = {
  name: "compose",
  describe:
    "Bake extensions (by name) into one sqlink executable; the same set again reuses it (needs --grant spawn-build)",
  options: {
    embed: {
      type: "string",
      array: true,
      required: "Name the extensions to embed: --embed a,b,c",
      describe: "Extensions to embed, by name (extension:<name> in the cas-cache), in load order",
    },
    target: TARGET,
    output: {
      type: "string",
      alias: "o",
      describe: "Also write the executable here (a file, or a directory)",
      complete: "files",
    },
    grant: GRANT,
  },
  run: async (argv) => (await import("./compose.ts")).compose(argv as never),
};

/** The whole tree of script commands. */
export const SQLINK_COMMANDS: CommandSpec = {
  name: "sqlink",
  describe: "Usage: sqlink <command> [options]\n       sqlink [OPTIONS] [FILENAME [SQL...]]",
  demand: "Name a command",
  options: CAS_OPTIONS,
  commands: [
    casCommand,
    bundleCommand,
    composeCommand,
    remoteCommand,
    extCommand,
    lockCommand,
    syncCommand,
    {
      name: "web",
      describe:
        "Serve a page (on loopback) with this browser's own cas-cache on sqlite-wasm: view, import, verify, export",
      options: {
        port: { type: "string", describe: "The port to serve on (default 8700; 0: any free one)" },
        host: {
          type: "string",
          describe: "The address to serve on (default 127.0.0.1; the page has no login)",
        },
      },
      run: async (argv) => (await import("./web.ts")).web(argv as never),
    },
    {
      name: "version",
      describe:
        "Print the versions of sqlink, of the SQLite it runs on, of Deno, and the target triple",
      run: async (argv) => (await import("./version.ts")).version(argv as never),
    },
    {
      name: "completion",
      args: "[shell]",
      describe: "Print the completion script for bash, zsh or fish (default: the one $SHELL names)",
      positionals: { shell: { describe: "bash, zsh or fish", complete: "shells" } },
      examples: [
        ["sqlink completion bash >> ~/.bashrc", "Complete sqlink in bash"],
        ["sqlink completion zsh > ~/.zfunc/_sqlink", "Complete sqlink in zsh (fpath+=~/.zfunc)"],
        [
          "sqlink completion fish > ~/.config/fish/completions/sqlink.fish",
          "Complete sqlink in fish",
        ],
      ],
      run: async (argv) => (await import("./completion.ts")).completionScript(argv as never),
    },
  ],
};

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
  const json = args.includes("--json");
  if (options.launch) {
    launch = options.launch;
  } else {
    try {
      const taken = takeGrants(args);
      launch = { argv: args, grants: taken.grants };
      args = taken.rest;
    } catch (err) {
      return reportError(err, { json });
    }
  }
  const spell = (text: string) =>
    options.dotCommand ? text.replaceAll(`sqlink ${args[0]}`, `.${args[0]}`) : text;
  try {
    let parsed;
    try {
      parsed = parseCommandLine(SQLINK_COMMANDS, args);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      const path = commandPath(args);
      throw new UsageError(err.message, {
        hint: err.hint ?? `Run "${spell(path)} --help" for usage`,
      });
    }
    const command = parsed.path[parsed.path.length - 1];
    if (parsed.help || !command.run) {
      out(spell(helpText("sqlink", parsed.path, Math.min(100, terminalWidth()))));
      return 0;
    }
    await command.run(parsed.argv);
    return exitCode;
  } catch (err) {
    // A reader that went away is the caller's to handle (the shell ends quietly).
    if (err instanceof Deno.errors.BrokenPipe) throw err;
    return reportError(err, { json });
  }
}

/**
 * `sqlink cas put` for `["cas", "put", "x", "--bogus"]` or `["--cas", "c", "cas", "put"]`: the
 * command a help hint should name, past any options before or between its words.
 */
function commandPath(args: string[]): string {
  const path = [SQLINK_COMMANDS];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--cas") i++;
    else if (args[i].startsWith("-")) continue;
    else {
      const next = subcommand(path[path.length - 1], args[i]);
      if (!next) break;
      path.push(next);
    }
  }
  return ["sqlink", commandName(path.slice(1))].join(" ").trimEnd();
}

function terminalWidth(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 100;
  }
}
