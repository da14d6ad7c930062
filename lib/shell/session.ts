/**
 * One shell session: the state, the connection (opened on first use, as sqlite3 does, so
 * a mistyped file name that is never queried creates no file), and the glue between the
 * input loop, the SQL runner and the dot-command registry.
 */
import type { Database } from "../sqlite/database.ts";
import type { Interrupter } from "../sqlite/interrupter.ts";
import { SQLITE_INTERRUPT } from "../sqlite/error.ts";
import { installError, plainMessage, SqlinkError } from "../errors.ts";
import type { ExtensionSet } from "../ext/loaded.ts";
import type { EmbeddedBundle } from "../bake/embedded.ts";
import type { Launch } from "../bake/grant.ts";
import { openShellDatabase } from "./database.ts";
import type { DotContext, DotRegistry, ShellHost } from "./dot/registry.ts";
import { dotCommandWords } from "./dot/line.ts";
import { type ExecFailure, execSql, messageOf } from "./exec.ts";
import type { FormatSettings } from "./format/settings.ts";
import { type InputResult, processInput } from "./input.ts";
import { type LineSource, textLines } from "./lines.ts";
import type { Sink } from "./sink.ts";
import { createShellState, type ShellState } from "./state.ts";

/** How a session starts. */
export interface SessionOptions {
  dbPath: string;
  readOnly: boolean;
  stdout: Sink;
  stderr: Sink;
  /** The dot-commands, loaded on first use so one-shot SQL never loads them. */
  registry: () => Promise<DotRegistry>;
  format?: FormatSettings;
}

/** A running shell. */
export class ShellSession implements ShellHost {
  readonly state: ShellState;
  readonly #loadRegistry: () => Promise<DotRegistry>;
  #registry: DotRegistry | null = null;
  #db: Database | null = null;
  /**
   * The extensions this session loaded (`.load`, `--load`, `--bundle`), loaded again into
   * every database it opens; null until the first one (so plain sessions never load the
   * extension machinery).
   */
  extensions: ExtensionSet | null = null;
  /** How the shell was started (what `.bundle build` may do, and how to relaunch). */
  launch: Launch = { argv: [], grants: new Set() };
  /** The bundle this program embeds, when it is a baked sqlink. */
  embedded: EmbeddedBundle | null = null;
  /** Write-through of newly cached blobs to the remotes, plugged in by the command layer. */
  shareBlobs?: (blake3s: string[]) => Promise<void>;
  /** Fetching of lock-file names for `.load NAME`, plugged in by the command layer. */
  fetchNamed?: (names: readonly string[]) => Promise<void>;
  #interrupter: Interrupter | null = null;

  constructor(options: SessionOptions) {
    this.#loadRegistry = options.registry;
    const state = createShellState(
      null as unknown as Database,
      options.dbPath,
      { stdout: options.stdout, stderr: options.stderr },
      options.format,
    );
    state.readOnly = options.readOnly;
    Object.defineProperty(state, "db", {
      get: () => this.#connection(),
      set: (db: Database) => {
        this.#db = db;
        this.#interrupter?.watch(db);
      },
      enumerable: true,
    });
    this.state = state;
  }

  /** The dot-command registry (loaded now if it was not yet). */
  async registry(): Promise<DotRegistry> {
    this.#registry ??= await this.#loadRegistry();
    return this.#registry;
  }

  /** True once the database file has been opened. */
  get isOpen(): boolean {
    return this.#db !== null;
  }

  #connection(): Database {
    if (this.#db === null) {
      const db = openDatabaseOrThrow(this.state.dbPath, { readOnly: this.state.readOnly });
      try {
        this.extensions?.loadAll(db);
      } catch (error) {
        // The session was started with these extensions: without them it must not run.
        db.close();
        throw new SqlinkError("EOPEN", messageOf(error), {
          hint: (error as SqlinkError).hint,
          cause: error,
        });
      }
      this.#db = db;
      this.#interrupter?.watch(db);
    }
    return this.#db;
  }

  /**
   * Let `interrupter` stop this session's statements on SIGINT (null: none; then each
   * statement's first step runs off the main thread so the listener can, see Stepper).
   */
  useInterrupter(interrupter: Interrupter | null): void {
    this.#interrupter = interrupter;
    interrupter?.watch(this.#db);
    // Until the thread listens, first steps run off the main thread.
    this.state.asyncFirstStep = true;
    interrupter?.onReady(() => {
      this.state.asyncFirstStep = false;
    });
  }

  /**
   * SIGINT (Ctrl-C): stop the running statement, as sqlite3's interrupt_handler does, and
   * count it (a script stops at its next line). Returns how many are pending.
   */
  interrupt(): number {
    this.state.interrupted++;
    this.#db?.interrupt();
    return this.state.interrupted;
  }

  /** Open the database now (sqlite3 does when the file exists); throws SqlinkError. */
  open(): void {
    this.#connection();
  }

  /** Replace the connection (`.open`). */
  openDatabase(path: string, options: { readOnly?: boolean; newFile?: boolean } = {}): void {
    if (options.newFile && path !== "" && path !== ":memory:") {
      try {
        Deno.removeSync(path);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) {
          throw new SqlinkError("EOPEN", `cannot remove "${path}": ${messageOf(error)}`);
        }
      }
    }
    const db = openDatabaseOrThrow(path, { readOnly: options.readOnly ?? false });
    this.close();
    this.#db = db;
    this.#interrupter?.watch(db);
    this.state.dbPath = path;
    this.state.readOnly = options.readOnly ?? false;
    // The new database is open either way; a failure here is reported like any other.
    this.extensions?.loadAll(db);
  }

  /** Close the connection, if open. */
  close(): void {
    this.#interrupter?.watch(null);
    if (this.#db?.isOpen) this.#db.close();
    this.#db = null;
  }

  /** Run the lines of `source` (a file, a pipe, or a person at the prompt). */
  processInput(
    source: LineSource,
    fromUser: boolean,
    prompt?: { beforeRead(continuation: boolean): void; takeInterrupt(): boolean },
  ) {
    return processInput(
      {
        state: this.state,
        runDotCommand: (line) => this.runDotCommand(line),
        runSql: (sql, startLine, user) => this.runSql(sql, startLine, user),
        beforeRead: (continuation) => {
          this.state.out.flush();
          this.state.stderr.flush();
          prompt?.beforeRead(continuation);
        },
        takeInterrupt: () => prompt?.takeInterrupt() ?? false,
      },
      source,
      fromUser,
    );
  }

  /** Run `text` as a script (`.read`, `-init`); returns the error count. */
  async runScript(text: string): Promise<number> {
    const result: InputResult = await this.processInput(textLines(text), false);
    return result.errors;
  }

  /** Run one dot-command line: 0 ok, 1 error, 2 quit. */
  async runDotCommand(line: string): Promise<number> {
    const words = dotCommandWords(line);
    if (words.length === 0) return 0;
    const wasOnce = this.state.once;
    const command = (await this.registry()).find(words[0]);
    let status: number;
    if (!command) {
      this.state.stderr.write(
        `Error: unknown command or invalid arguments:  "${words[0]}". Enter ".help" for help\n`,
      );
      status = 1;
    } else {
      try {
        status = await command.run(this.#context(), words.slice(1));
      } catch (error) {
        if (isOpenFailure(error)) throw error;
        this.state.stderr.write(errorText(error));
        status = 1;
      }
    }
    // `.once` stays for the next command; a second `.once` already replaced the first.
    if (wasOnce && this.state.once && command?.name !== "once") this.resetOutput();
    return status;
  }

  /** Run SQL read from input (sqlite3's `runOneSqlLine`); returns 1 on error, else 0. */
  async runSql(sql: string, startLine: number, fromUser: boolean): Promise<number> {
    const timer = this.state.timer ? (await import("./timer.ts")).startTimer() : null;
    const error = await this.#run(sql);
    if (timer) this.state.stdout.write(timer.report());
    let failed = 0;
    if (error !== null) {
      const text = error.text;
      const [kind, tail] = text.startsWith("in prepare, ")
        ? ["Parse error", text.slice(12)]
        : text.startsWith("stepping, ")
        ? ["Runtime error", text.slice(10)]
        : ["Error", text];
      const prefix = fromUser ? `${kind}:` : `${kind} near line ${startLine}:`;
      this.state.out.flush();
      this.state.stderr.write(`${prefix} ${tail}\n${hintLine(error)}`);
      failed = 1;
    } else if (this.state.changes) {
      const db = this.state.db;
      this.state.out.write(`changes: ${db.changes()}   total_changes: ${db.totalChanges()}\n`);
    }
    if (this.state.once) this.resetOutput();
    return failed;
  }

  /**
   * Run SQL given on the command line or by a dot-command; prints `Error: …` on failure.
   * Returns 0, or SQLite's primary result code, which sqlite3 exits with.
   */
  async execSql(sql: string): Promise<number> {
    const error = await this.#run(sql);
    if (error === null) return 0;
    this.state.out.flush();
    this.state.stderr.write(`Error: ${error.text}\n${hintLine(error)}`);
    return error.code;
  }

  async #run(sql: string): Promise<ExecFailure | null> {
    let failure: ExecFailure | null;
    try {
      failure = await execSql(this.state, sql);
    } catch (error) {
      if (isOpenFailure(error)) throw error;
      return { text: messageOf(error), code: 1 };
    }
    if (failure?.code === SQLITE_INTERRUPT && this.state.interrupted === 0) {
      // The SIGINT that stopped it may still wait for the event loop: let it be counted
      // before the next line is read, so a script stops there as sqlite3's does.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (this.state.interrupted === 0) this.state.interrupted = 1;
    }
    return failure;
  }

  /** Send results to standard output again, closing a `.output`/`.once` file. */
  resetOutput(): void {
    if (this.state.out !== this.state.stdout) this.state.out.close();
    this.state.out = this.state.stdout;
    this.state.outFile = null;
    this.state.once = false;
  }

  #context(): DotContext {
    return { state: this.state, host: this };
  }
}

function hintLine(failure: ExecFailure): string {
  return failure.hint ? `hint: ${failure.hint}\n` : "";
}

/** `Error: …` for a failed command, with sqlink's `hint:` line when there is one. */
export function errorText(error: unknown): string {
  error = installError(error) ?? error;
  const hint = error instanceof SqlinkError && error.hint ? `hint: ${error.hint}\n` : "";
  return `Error: ${plainMessage(error)}\n${hint}`;
}

/** True for the error of a database that cannot be opened: the shell stops on it, as sqlite3. */
export function isOpenFailure(error: unknown): boolean {
  return error instanceof SqlinkError && error.code === "EOPEN";
}

function openDatabaseOrThrow(path: string, options: { readOnly: boolean }): Database {
  try {
    return openShellDatabase(path, options);
  } catch (error) {
    // node:sqlite appends the file name to SQLite's message; sqlite3 shows it in front.
    const message = messageOf(error).replace(
      /: [^:]*$/,
      (tail) => tail === `: ${path}` ? "" : tail,
    );
    throw new SqlinkError("EOPEN", `unable to open database "${path}": ${message}`, {
      cause: error,
    });
  }
}
