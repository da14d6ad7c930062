/** `.output ?FILE?` and `.once FILE`: send results to a file or a command instead of stdout. */
import { fileSink, type Sink } from "../sink.ts";
import type { DotCommand, DotContext, DotStatus } from "./registry.ts";
import { showHelp } from "./help.ts";

/**
 * A sink feeding a shell command. The output is gathered in a temporary file and handed
 * to the command when the redirection ends, the moment sqlite3's `pclose` would finish it.
 */
function pipeSink(command: string): Sink {
  const path = Deno.makeTempFileSync({ prefix: "sqlink-pipe-" });
  const file = Deno.openSync(path, { write: true, truncate: true });
  const inner = fileSink(file, { owned: true });
  return {
    write: (chunk) => inner.write(chunk),
    flush: () => inner.flush(),
    close() {
      inner.close();
      try {
        new Deno.Command("/bin/sh", {
          args: ["-c", `${command} < '${path.replaceAll("'", "'\\''")}'`, "sh"],
          stdout: "inherit",
          stderr: "inherit",
        }).outputSync();
      } finally {
        Deno.removeSync(path);
      }
    },
  };
}

function redirect(ctx: DotContext, args: string[], once: boolean): DotStatus {
  const name = once ? "once" : "output";
  let target: string | null = null;
  let bom = false;
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word.startsWith("-")) {
      if (word === "--bom" || word === "-bom") {
        bom = true;
        continue;
      }
      ctx.state.out.write(`ERROR: unknown option: "${word}".  Usage:\n`);
      showHelp(ctx.state.out, name);
      return 1;
    }
    if (target !== null) {
      ctx.state.out.write(`ERROR: extra parameter: "${word}".  Usage:\n`);
      showHelp(ctx.state.out, name);
      return 1;
    }
    target = word;
    if (word.startsWith("|")) {
      target = [word, ...args.slice(i + 1)].join(" ");
      break;
    }
  }
  target ??= "stdout";
  const { state } = ctx;
  if (state.out !== state.stdout) state.out.close();
  state.out = state.stdout;
  state.outFile = null;
  state.once = false;
  if (target === "stdout") {
    state.once = once;
    return 0;
  }
  if (target === "off") return 1;
  let sink: Sink;
  if (target === "stderr") {
    sink = { ...state.stderr, close() {} };
  } else if (target.startsWith("|")) {
    try {
      sink = pipeSink(target.slice(1));
    } catch {
      state.stderr.write(`Error: cannot open pipe "${target.slice(1)}"\n`);
      return 1;
    }
  } else {
    try {
      const file = Deno.openSync(target, { write: true, create: true, truncate: true });
      sink = fileSink(file, { owned: true });
    } catch {
      state.stderr.write(`Error: cannot open "${target}"\nError: cannot write to "${target}"\n`);
      return 1;
    }
  }
  if (bom) sink.write(new Uint8Array([0xef, 0xbb, 0xbf]));
  state.out = sink;
  state.outFile = target;
  state.once = once;
  return 0;
}

/** Output redirection commands. */
export const outputCommands: DotCommand[] = [
  {
    name: "output",
    args: "?FILE?",
    summary: "Send output to FILE or stdout if FILE is omitted",
    run: (ctx, args) => redirect(ctx, args, false),
  },
  {
    name: "once",
    args: "?OPTIONS? ?FILE?",
    summary: "Output for the next SQL command only to FILE",
    run: (ctx, args) => redirect(ctx, args, true),
  },
];
