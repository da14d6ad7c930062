/**
 * `sqlink [OPTIONS] [FILENAME [SQL...]]`: the sqlite3-compatible shell. This module turns
 * the command line into a session, runs the init file, the `-cmd`s, the SQL arguments or
 * the input (a pipe, a file, or a person at the prompt), and picks the exit status the way
 * sqlite3 does. The prompt's modules load only when a person is typing.
 */
import { SqlinkError } from "../../lib/errors.ts";
import { loadSqlite, sqlite } from "../../lib/sqlite/library.ts";
import { type LineSource, readerLines } from "../../lib/shell/lines.ts";
import { applyShellOption, parseShellArgs, type ShellArgs } from "../../lib/shell/options.ts";
import type { DotRegistry } from "../../lib/shell/dot/registry.ts";
import { errorText, ShellSession } from "../../lib/shell/session.ts";
import type { EmbeddedBundle } from "../../lib/bake/embedded.ts";
import { fileSink, type Sink } from "../../lib/shell/sink.ts";
import { rawText } from "../../lib/shell/raw_text.ts";

const PROGRAM = "sqlink";

/** The shell's -help text (sqlite3's, with sqlink's options and subcommands): completion reads its options. */
export const USAGE = `Usage: ${PROGRAM} [OPTIONS] FILENAME [SQL]
FILENAME is the name of an SQLite database. A new database is created
if the file does not previously exist.
OPTIONS include:
   -ascii               set output mode to 'ascii'
   -bail                stop after hitting an error
   -batch               force batch I/O
   -box                 set output mode to 'box'
   -column              set output mode to 'column'
   -cmd COMMAND         run "COMMAND" before reading stdin
   -csv                 set output mode to 'csv'
   -echo                print inputs before execution
   -init FILENAME       read/process named file (default: ~/.sqlinkrc)
   -[no]header          turn headers on or off
   -help                show this message
   -html                set output mode to HTML
   -interactive         force interactive I/O
   -json                set output mode to 'json'
   -line                set output mode to 'line'
   -list                set output mode to 'list'
   -markdown            set output mode to 'markdown'
   -newline SEP         set output row separator. Default: '\\n'
   -nullvalue TEXT      set text string for NULL values. Default ''
   -quote               set output mode to 'quote'
   -readonly            open the database read-only
   -separator SEP       set output column separator. Default: '|'
   -table               set output mode to 'table'
   -tabs                set output mode to 'tabs'
   -version             show SQLite version (sqlink's own: "${PROGRAM} version")
Extensions:
   --load PATH          load an extension through the cas-cache (repeatable)
   --bundle NAME|HASH   run the bundle's baked binary if built, else load its members
   --bundle-load NAME   load a bundle's members dynamically
   --bundle-baked NAME  run the bundle's baked binary only
   --grant spawn-build  allow baking (.bundle build, .bundle save) in this session
Subcommands:
   cas ...              manage the cache of extension binaries ("${PROGRAM} cas --help")
   bundle ...           save, list, show, delete and bake bundles ("${PROGRAM} bundle --help")
   compose ...          bake extensions into one executable ("${PROGRAM} compose --help")
   completion [SHELL]   print the bash, zsh or fish completion script
   version              sqlink's, SQLite's and Deno's versions and the target (--json)
`;

/**
 * Run the shell with `argv`; returns the exit status. `embedded` is the bundle of a baked
 * program, loaded into every connection.
 */
export async function runShell(argv: string[], embedded?: EmbeddedBundle): Promise<number> {
  const stdout = fileSink(Deno.stdout);
  const stderr = fileSink(Deno.stderr, { unbuffered: true });
  try {
    const status = await shell(argv, stdout, stderr, embedded);
    stdout.flush();
    return status;
  } catch (error) {
    // A reader that went away (`sqlink … | head`) ends the run quietly, as with sqlite3.
    if (error instanceof Deno.errors.BrokenPipe) return 0;
    // Anything else is a bug: one message and a hint, the stack only with SQLINK_DEBUG.
    const { reportError } = await import("../output.ts");
    return reportError(error);
  }
}

async function shell(
  argv: string[],
  stdout: Sink,
  stderr: Sink,
  embedded: EmbeddedBundle | undefined,
): Promise<number> {
  let args: ShellArgs;
  try {
    args = parseShellArgs(argv);
  } catch (error) {
    const hint = error instanceof SqlinkError && error.hint ? `hint: ${error.hint}\n` : "";
    stderr.write(`${PROGRAM}: Error: ${(error as Error).message}\n${hint}`);
    return 1;
  }
  let library: string;
  try {
    library = (await loadSqlite()).path;
  } catch (error) {
    stderr.write(errorText(error));
    return 1;
  }
  let interactive = Deno.stdin.isTerminal() && !args.batch;
  const session = new ShellSession({
    dbPath: args.dbPath ?? ":memory:",
    readOnly: args.readOnly,
    stdout,
    stderr,
    registry: loadRegistry,
  });
  session.launch = { argv, grants: args.grants };
  session.embedded = embedded ?? null;
  // Write-through (SPEC §10): loaded only when a `.load` or `.bundle save` caches something.
  session.shareBlobs = async (blake3s) => {
    const [{ shareFromShell }, { withShellOutput }] = await Promise.all([
      import("../remote/tier.ts"),
      import("./script.ts"),
    ]);
    await withShellOutput(session.state, () => shareFromShell(args.remotes, blake3s));
  };
  // `.load NAME` of a name only sqlink.lock knows fetches it first (SPEC §5).
  session.fetchNamed = async (names) => (await import("./ext.ts")).fetchNamed(names);
  const { state } = session;
  state.bail = args.bail;
  // SIGINT stops the running statement and is counted, as sqlite3's interrupt_handler does:
  // a script then ends, the prompt reads on, and a third one in a row ends the shell.
  const onInterrupt = () => {
    if (session.interrupt() > 2) {
      stdout.flush();
      Deno.exit(1);
    }
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  // A thread that interrupts even a synchronous step, for input that may run long (a
  // script, the prompt); SQL arguments run their first steps off the main thread instead.
  const interrupter = args.commands.length > 0
    ? null
    : (await import("../../lib/sqlite/interrupter.ts")).Interrupter.start(library);
  session.useInterrupter(interrupter);
  try {
    if (embedded || args.loads.length > 0 || args.bundle !== null) {
      const { startExtensions, runBakedBinary } = await import("./extensions.ts");
      const plan = await startExtensions(args, embedded);
      if (plan.kind === "baked") return await runBakedBinary(plan.binary, args.forwarded);
      if (plan.notice) stderr.write(`Warning: ${plan.notice}\n`);
      session.extensions = plan.set;
    }
    if (args.dbPath !== null && args.dbPath !== ":memory:" && exists(args.dbPath)) session.open();
    const init = await runInitFile(session, args, interactive);
    if (init !== null) return init;

    for (const step of args.steps) {
      if (step.kind === "option") {
        if (step.name === "-interactive") interactive = true;
        else if (step.name === "-batch") interactive = false;
        else applyShellOption(state, step.name, step.value);
      } else if (step.kind === "version") {
        stdout.write(`${sqliteVersion()}\n`);
        return 0;
      } else if (step.kind === "help") {
        if (!step.asSqlite3) {
          stdout.write(USAGE);
          return 0;
        }
        stderr.write(USAGE);
        return 1;
      } else if (step.kind === "unknown") {
        stderr.write(
          `${PROGRAM}: Error: unknown option: ${step.name}\nUse -help for a list of options.\n`,
        );
        return 1;
      } else if (step.text.startsWith(".")) {
        const status = await session.runDotCommand(step.text);
        if (state.exitCode !== null) return state.exitCode;
        if (status !== 0 && state.bail) return status === 2 ? 0 : status;
      } else {
        const code = await session.execSql(step.text);
        if (code !== 0 && state.bail) return code;
      }
    }
    state.interactive = interactive;

    if (args.commands.length > 0) {
      for (const command of args.commands) {
        if (command.startsWith(".")) {
          const status = await session.runDotCommand(command);
          if (state.exitCode !== null) return state.exitCode;
          if (status !== 0) return status === 2 ? 0 : status;
        } else {
          const code = await session.execSql(command);
          if (code !== 0) return code;
        }
      }
      return 0;
    }
    if (interactive) return await interact(session, args);
    const result = await session.processInput(readerLines(Deno.stdin), false);
    return state.exitCode ?? (result.errors > 0 ? 1 : 0);
  } catch (error) {
    if (error instanceof SqlinkError) {
      stdout.flush();
      stderr.write(errorText(error));
      return 1;
    }
    throw error;
  } finally {
    session.resetOutput();
    session.close();
    interrupter?.stop();
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

/** The dot-commands: the shell's own, and the script commands it offers at the prompt. */
async function loadRegistry(): Promise<DotRegistry> {
  const [{ builtinRegistry }, { casDotCommand }, { bundleDotCommand }, { extDotCommand }] =
    await Promise.all([
      import("../../lib/shell/dot/commands.ts"),
      import("./cas.ts"),
      import("./bundle.ts"),
      import("./ext.ts"),
    ]);
  return builtinRegistry().add(casDotCommand, bundleDotCommand, extDotCommand);
}

/** `-init FILE` or `~/.sqlinkrc`; returns an exit status when the shell must stop. */
async function runInitFile(
  session: ShellSession,
  args: ShellArgs,
  interactive: boolean,
): Promise<number | null> {
  const { state } = session;
  let path = args.initFile;
  if (path === null) {
    const home = Deno.env.get("HOME");
    if (!home) return null;
    path = `${home}/.sqlinkrc`;
  }
  let text: string;
  try {
    text = rawText(Deno.readFileSync(path));
  } catch {
    if (args.initFile !== null) {
      state.stderr.write(`cannot open: "${path}"\n`);
      if (state.bail) return 1;
    }
    return null;
  }
  if (interactive) state.stderr.write(`-- Loading resources from ${path}\n`);
  const errors = await session.runScript(text);
  if (state.exitCode !== null) return state.exitCode;
  if (errors > 0 && state.bail) return 1;
  return null;
}

/** A person at a terminal: banner, prompt, history, completion. */
async function interact(session: ShellSession, args: ShellArgs): Promise<number> {
  const { state } = session;
  const { default: denoJson } = await import("../../deno.json", { with: { type: "json" } });
  state.stdout.write(
    `${PROGRAM} ${denoJson.version} (SQLite version ${sqliteVersion().slice(0, 26)})\n` +
      `Enter ".help" for usage hints.\n`,
  );
  if (args.noArguments) {
    state.stdout.write(
      "Connected to a transient in-memory database.\n" +
        'Use ".open FILENAME" to reopen on a persistent database.\n',
    );
  }
  // Ctrl-C while a statement runs interrupts it (shell() listens); at the prompt, the line
  // reader handles it itself.
  const { openPlainPrompt, openPrompt } = await import("./prompt.ts");
  const { defaultHistoryPath } = await import("../../lib/shell/prompt/history.ts");
  const prompt = Deno.stdin.isTerminal()
    ? await openPrompt(session, defaultHistoryPath())
    : openPlainPrompt(session);
  try {
    const source: LineSource = {
      next: () => prompt.readLine(),
    };
    const result = await session.processInput(source, true, {
      beforeRead: (continuation) => {
        prompt.continuation = continuation;
      },
      takeInterrupt: () => {
        const interrupted = prompt.interrupted;
        prompt.interrupted = false;
        return interrupted;
      },
    });
    return state.exitCode ?? (result.errors > 0 ? 1 : 0);
  } finally {
    await prompt.close();
  }
}

/** What sqlite3 -version prints: the library's version and source id. */
function sqliteVersion(): string {
  const lib = sqlite();
  const text = (p: Deno.PointerValue) => p === null ? "" : Deno.UnsafePointerView.getCString(p);
  return `${text(lib.sqlite3_libversion())} ${text(lib.sqlite3_sourceid())}`;
}

// Not lib/fs.ts's pathExists: that module loads node:path, which a plain start must not pay for.
function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
