/** Everything a shell session carries between statements and dot-commands. */
import type { Database } from "../sqlite/database.ts";
import { defaultFormatSettings, type FormatSettings, type ModeName } from "./format/settings.ts";
import type { Sink } from "./sink.ts";

/** The live state of one shell session (sqlite3's `ShellState`). */
export interface ShellState {
  /** The current connection. */
  db: Database;
  /** The file name it was opened with (`""` for an in-memory database). */
  dbPath: string;
  /** Opened with `-readonly` / `.open --readonly`. */
  readOnly: boolean;
  /** How results print. */
  format: FormatSettings;
  /** Where results go now: standard output, or the file of `.output` / `.once`. */
  out: Sink;
  /** The process's standard output. */
  stdout: Sink;
  /** The process's standard error: error messages and diagnostics. */
  stderr: Sink;
  /** The file `.output`/`.once` redirected to, or null while writing to stdout. */
  outFile: string | null;
  /** `.once` is active: restore stdout after the next SQL statement or dot-command. */
  once: boolean;
  /** `.echo on`, `-echo`. */
  echo: boolean;
  /** `.bail on`, `-bail`. */
  bail: boolean;
  /** `.timer on`. */
  timer: boolean;
  /** `.changes on`. */
  changes: boolean;
  /** Input comes from a person at a terminal (sqlite3's stdin_is_interactive). */
  interactive: boolean;
  /** `.explain auto|on|off` (sqlite3's autoExplain, default on). */
  autoExplain: boolean;
  /** The mode to return to after `.explain off`. */
  normalMode: ModeName;
  /** `.eqp on|off|full`. */
  autoEqp: "off" | "on" | "full";
  /** `.exit N` with N > 0: stop everything and end the process with N. */
  exitCode: number | null;
  /** Main and continuation prompts (`.prompt`). */
  prompt: { main: string; continuation: string };
  /**
   * sqlite3's inputNesting and lineno: how many inputs (stdin, the prompt, `-init`, `.read`)
   * are being read one inside another, and the line the innermost one is at.
   */
  input: { nesting: number; line: number };
  /**
   * sqlite3's seenInterrupt: Ctrl-Cs (SIGINT) not yet acted on. A script stops at the next
   * line it reads; the prompt forgets them and reads on.
   */
  interrupted: number;
  /**
   * Run each statement's first step off the main thread, so the SIGINT listener can
   * interrupt it: for runs without an interrupter thread (lib/sqlite/interrupter.ts).
   */
  asyncFirstStep: boolean;
}

/** A session with sqlite3's defaults over `db`, writing to the given sinks. */
export function createShellState(
  db: Database,
  dbPath: string,
  sinks: { stdout: Sink; stderr: Sink },
  format: FormatSettings = defaultFormatSettings(),
): ShellState {
  return {
    db,
    dbPath,
    readOnly: false,
    format,
    out: sinks.stdout,
    stdout: sinks.stdout,
    stderr: sinks.stderr,
    outFile: null,
    once: false,
    echo: false,
    bail: false,
    timer: false,
    changes: false,
    interactive: false,
    autoExplain: true,
    normalMode: format.mode,
    autoEqp: "off",
    exitCode: null,
    prompt: { main: "sqlite> ", continuation: "   ...> " },
    input: { nesting: 0, line: 0 },
    interrupted: 0,
    asyncFirstStep: false,
  };
}
