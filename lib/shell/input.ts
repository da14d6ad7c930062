/**
 * sqlite3's input loop (`process_input`): lines accumulate until they hold a complete
 * statement; a line starting with `.` (or `#`) at the start of a statement is a
 * dot-command (or a comment); `/` or `go` alone on a line ends a statement; errors are
 * counted, and with `-bail` the first one stops a non-interactive run. Inputs nest (`.read`
 * inside `.read`) at most MAX_INPUT_NESTING deep.
 */
import type { LineSource } from "./lines.ts";
import { quickScan, SCAN_START, sqlComplete } from "./sql/scan.ts";
import type { ShellState } from "./state.ts";

/** What the input loop needs from the shell around it. */
export interface InputHandlers {
  state: ShellState;
  /** Run one dot-command line; 0 ok, 1 error, 2 quit. */
  runDotCommand(line: string): Promise<number>;
  /** Run accumulated SQL that started on `startLine`; returns the number of errors (0 or 1). */
  runSql(sql: string, startLine: number, fromUser: boolean): Promise<number>;
  /** Called before each line is read (sqlite3 flushes its output here). */
  beforeRead?(continuation: boolean): void;
  /** True (once) when the person at the prompt pressed Ctrl-C: drop the unfinished statement. */
  takeInterrupt?(): boolean;
}

/**
 * sqlite3's MAX_INPUT_NESTING: a file that reads itself, or a longer cycle of `.read`s,
 * stops at this depth (counting stdin or the init file) instead of recursing until memory
 * runs out.
 */
export const MAX_INPUT_NESTING = 25;

/** How one input source ended. */
export interface InputResult {
  /** Number of failed statements and dot-commands. */
  errors: number;
  /** `.quit` / `.exit` was run. */
  quit: boolean;
}

/**
 * Process every line of `source`. `fromUser` is true for a person typing at the prompt:
 * then errors never stop the loop and messages carry no line numbers.
 */
export async function processInput(
  handlers: InputHandlers,
  source: LineSource,
  fromUser: boolean,
): Promise<InputResult> {
  const { state } = handlers;
  const input = state.input;
  if (input.nesting === MAX_INPUT_NESTING) {
    // sqlite3's words, with the line of the `.read` that went one level too deep.
    state.out.flush();
    state.stderr.write(
      `Input nesting limit (${MAX_INPUT_NESTING}) reached at line ${input.line}. Check recursion.\n`,
    );
    return { errors: 1, quit: false };
  }
  const outerLine = input.line;
  input.nesting++;
  try {
    return await processLines(handlers, source, fromUser);
  } finally {
    input.nesting--;
    input.line = outerLine;
  }
}

async function processLines(
  handlers: InputHandlers,
  source: LineSource,
  fromUser: boolean,
): Promise<InputResult> {
  const { state } = handlers;
  let sql = "";
  let startLine = 0;
  let lineNo = 0;
  let scan = SCAN_START;
  let errors = 0;
  while (errors === 0 || !state.bail || fromUser) {
    handlers.beforeRead?.(sql.length > 0);
    let line = await source.next();
    if (handlers.takeInterrupt?.()) {
      sql = "";
      scan = SCAN_START;
    }
    if (line === null) {
      if (fromUser) state.out.write("\n");
      break;
    }
    // sqlite3: after Ctrl-C a script (or a file being read) stops; the prompt reads on.
    if (state.interrupted > 0) {
      if (!fromUser) break;
      state.interrupted = 0;
    }
    lineNo++;
    state.input.line = lineNo;
    if (scan.waitFor === "" && isTerminatorLine(line) && sqlComplete(sql + ";")) line = ";";
    scan = quickScan(line, scan);
    if (!scan.hasDark && scan.waitFor === "" && sql.length === 0) {
      echo(state, line);
      scan = SCAN_START;
      continue;
    }
    if ((line.startsWith(".") || line.startsWith("#")) && sql.length === 0) {
      echo(state, line);
      if (line.startsWith(".")) {
        const status = await handlers.runDotCommand(line);
        if (status === 2 || state.exitCode !== null) return { errors, quit: true };
        if (status !== 0) errors++;
      }
      scan = SCAN_START;
      continue;
    }
    if (sql.length === 0) {
      startLine = lineNo;
      sql = line.replace(/^[ \t\n\v\f\r]+/, "");
    } else {
      sql += "\n" + line;
    }
    if (sql.length > 0 && scan.endsWithSemi && scan.waitFor === "" && sqlComplete(sql)) {
      echo(state, sql);
      errors += await handlers.runSql(sql, startLine, fromUser);
      sql = "";
      scan = SCAN_START;
    } else if (sql.length > 0 && !scan.hasDark && scan.waitFor === "") {
      echo(state, sql);
      sql = "";
      scan = SCAN_START;
    }
  }
  if (sql.length > 0) {
    echo(state, sql);
    errors += await handlers.runSql(sql, startLine, fromUser);
  }
  return { errors, quit: false };
}

function echo(state: ShellState, text: string): void {
  if (state.echo) state.out.write(text + "\n");
}

/** A line holding only `/` (Oracle) or `go` (SQL Server), possibly with white space or comments. */
function isTerminatorLine(line: string): boolean {
  const trimmed = line.replace(/^[ \t\n\v\f\r]+/, "");
  let rest: string;
  if (trimmed.startsWith("/")) rest = trimmed.slice(1);
  else if (/^go/i.test(trimmed)) rest = trimmed.slice(2);
  else return false;
  const after = quickScan(rest, SCAN_START);
  return !after.hasDark && !after.endsWithSemi && after.waitFor === "";
}
