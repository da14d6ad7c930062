/** Dot-commands about the session itself: `.quit .exit .open .read .cd .print .shell .system`. */
import { messageOf } from "../exec.ts";
import { intValue } from "../arg_values.ts";
import { usage } from "./settings.ts";
import type { DotCommand, DotContext, DotStatus } from "./registry.ts";
import { rawBytes, rawText } from "../raw_text.ts";

/** Whether a `.open` word is the option `name` (`-new` or `--new`). */
function isOption(word: string, name: string): boolean {
  return word === `-${name}` || word === `--${name}`;
}

/** Signal numbers on Linux, for the wait status `system()` returns for a killed command. */
const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
};

/**
 * `.shell` / `.system`: sqlite3 joins the words (quoting those with a space) and hands
 * them to `system()`, which runs `sh -c` (so `$0`, shown in sh's errors, is "sh"). A
 * failing command is reported with its raw wait status; the dot-command still succeeds.
 */
function runShell(ctx: DotContext, args: string[]): DotStatus {
  if (args.length < 1) return usage(ctx, ".system COMMAND");
  const command = args.map((a) => a.includes(" ") ? `"${a}"` : a).join(" ");
  ctx.state.out.flush();
  let status: number;
  try {
    const result = new Deno.Command("/bin/sh", {
      args: ["-c", command, "sh"],
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).outputSync();
    status = result.signal !== null
      ? SIGNALS[result.signal] ?? result.code - 128
      : (result.code & 0xff) << 8;
  } catch {
    status = 127 << 8;
  }
  if (status !== 0) ctx.state.stderr.write(`System command returns ${status}\n`);
  return 0;
}

/** Session commands. */
export const sessionCommands: DotCommand[] = [
  {
    name: "quit",
    args: "",
    summary: "Exit this program",
    run: () => 2,
  },
  {
    name: "exit",
    args: "?CODE?",
    summary: "Exit this program with return-code CODE",
    run(ctx, args) {
      const code = args.length > 0 ? intValue(args[0]) : 0;
      if (code !== 0) ctx.state.exitCode = code & 0xff;
      return 2;
    },
  },
  {
    name: "open",
    args: "?OPTIONS? ?FILE?",
    summary: "Close existing database and reopen FILE",
    minPrefix: 2,
    run(ctx, args) {
      let file: string | null = null;
      let newFile = false;
      let readOnly = false;
      for (const word of args) {
        if (isOption(word, "new")) newFile = true;
        else if (isOption(word, "readonly")) readOnly = true;
        else if (isOption(word, "nofollow")) continue;
        else if (word.startsWith("-")) {
          ctx.state.stderr.write(`unknown option: ${word}\n`);
          return 1;
        } else if (file !== null) {
          ctx.state.stderr.write(`extra argument: "${word}"\n`);
          return 1;
        } else file = word;
      }
      try {
        ctx.host.openDatabase(file ?? "", { readOnly, newFile });
      } catch (error) {
        // sqlite3's open_db reports the failure and, for `.open`, falls back to an
        // in-memory database; its own "cannot open" line is only for a failed fallback.
        ctx.state.stderr.write(`Error: ${messageOf(error)}\n`);
        // sqlite3 falls back to an in-memory database but keeps the name it was given.
        ctx.host.openDatabase("", {});
        ctx.state.dbPath = file ?? "";
        return 0;
      }
      return 0;
    },
  },
  {
    name: "read",
    args: "FILE",
    summary: "Read input from FILE or command output",
    minPrefix: 3,
    async run(ctx, args) {
      if (args.length !== 1) return usage(ctx, ".read FILE");
      let text: string;
      try {
        if (args[0].startsWith("|")) {
          const result = new Deno.Command("/bin/sh", {
            args: ["-c", args[0].slice(1), "sh"],
            stdout: "piped",
            stderr: "inherit",
          }).outputSync();
          text = rawText(result.stdout);
        } else {
          text = rawText(Deno.readFileSync(args[0]));
        }
      } catch {
        ctx.state.stderr.write(`Error: cannot open "${args[0]}"\n`);
        return 1;
      }
      const errors = await ctx.host.runScript(text);
      if (ctx.state.exitCode !== null) return 2;
      return errors > 0 ? 1 : 0;
    },
  },
  {
    name: "cd",
    args: "DIRECTORY",
    summary: "Change the working directory to DIRECTORY",
    run(ctx, args) {
      if (args.length !== 1) return usage(ctx, ".cd DIRECTORY");
      try {
        Deno.chdir(args[0]);
      } catch {
        ctx.state.stderr.write(`Cannot change to directory "${args[0]}"\n`);
        return 1;
      }
      return 0;
    },
  },
  {
    name: "print",
    args: "STRING...",
    summary: "Print literal STRING",
    minPrefix: 3,
    run(ctx, args) {
      // Bytes that were not UTF-8 in the input print as themselves, as sqlite3's do.
      ctx.state.out.write(rawBytes(args.join(" ") + "\n"));
      return 0;
    },
  },
  {
    name: "shell",
    args: "CMD ARGS...",
    summary: "Run CMD ARGS... in a system shell",
    minPrefix: 2,
    run: (ctx, args) => runShell(ctx, args),
  },
  {
    name: "system",
    args: "CMD ARGS...",
    summary: "Run CMD ARGS... in a system shell",
    minPrefix: 2,
    run: (ctx, args) => runShell(ctx, args),
  },
];
