/**
 * Running SQL text the way sqlite3's `shell_exec` does: statement by statement, each
 * prepared only after the one before it ran, results printed in the current mode, and the
 * first error ending the text with sqlite3's message (`in prepare, …` / `stepping, …`).
 */
import type { Database } from "../sqlite/database.ts";
import { SqliteError } from "../sqlite/error.ts";
import type { Statement } from "../sqlite/statement.ts";
import { Stepper } from "../sqlite/stepper.ts";
import { rawBytes } from "./raw_text.ts";
import { loadPrinter } from "./format/printer_loader.ts";
import type { FormatSettings } from "./format/settings.ts";
import type { ShellState } from "./state.ts";
import { explainKind } from "./sql/scan.ts";
import type { SqlValue } from "./value.ts";

/** The first failure of a run: sqlite3's text (`in prepare, …`) and SQLite's primary code. */
export interface ExecFailure {
  text: string;
  code: number;
  /** sqlink's advice, printed as a `hint:` line after the error. */
  hint?: string;
}

/** The advice for SQL's load_extension(), which sqlink keeps disabled. */
export const LOAD_EXTENSION_HINT =
  "SQL's load_extension() is disabled: load extensions through sqlink's cache with .load FILE ?ENTRY?";

/** True for the error SQLite gives a disabled load_extension() call in `sql`. */
function isLoadExtensionCall(error: unknown, sql: string): boolean {
  return messageOf(error) === "not authorized" && /\bload_extension\s*\(/i.test(sql);
}

const decoder = new TextDecoder();

/** sqlite3's IsSpace: the blanks skipped before each statement. */
function isSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/**
 * Run every statement of `sql`, printing results to `state.out`. Returns null on success,
 * else the first failure (later statements are not run). Statements end where SQLite's
 * own parser says (the tail of sqlite3_prepare_v2), as in sqlite3's shell_exec.
 */
export async function execSql(state: ShellState, sql: string): Promise<ExecFailure | null> {
  // Opening the database happens here, outside the statement's error handling: a file
  // that cannot be opened ends the shell (sqlite3's open_db), it is not a parse error.
  const db = state.db;
  // Bytes of the input that were not UTF-8 reach SQLite as themselves, as in sqlite3.
  const bytes = rawBytes(sql);
  let at = 0;
  while (at < bytes.length) {
    while (at < bytes.length && isSpace(bytes[at])) at++;
    if (at >= bytes.length) break;
    let prepared: { statement: Statement | null; tail: number };
    try {
      prepared = await prepare(db, bytes, at);
    } catch (error) {
      const { errorContext } = await import("./sql/error_location.ts");
      const offset = error instanceof SqliteError ? error.offset : -1;
      const context = errorContext(bytes.subarray(at), offset);
      return {
        text: `in prepare, ${messageOf(error)}${codeSuffix(error)}${context}`,
        code: primaryCode(error),
      };
    }
    const { statement } = prepared;
    const text = decoder.decode(bytes.subarray(at, prepared.tail));
    at = prepared.tail;
    if (statement === null) continue;
    try {
      const kind = explainKind(text);
      if (state.autoEqp !== "off" && kind === 0) await printPlan(state, text);
      const error = await runStatement(state, statement, kind, text);
      if (error) {
        return {
          text: `stepping, ${messageOf(error)}${codeSuffix(error)}`,
          code: primaryCode(error),
          hint: isLoadExtensionCall(error, text) ? LOAD_EXTENSION_HINT : undefined,
        };
      }
    } finally {
      statement.finalize();
    }
  }
  return null;
}

/**
 * Prepare the statement at byte `from`. A "no such function" naming one of the functions
 * sqlite3's shell adds to the library (regexp, readfile, …) adds them to the connection
 * and prepares again.
 */
async function prepare(
  db: Database,
  bytes: Uint8Array,
  from: number,
): Promise<{ statement: Statement | null; tail: number }> {
  try {
    return db.prepareBytes(bytes, from);
  } catch (error) {
    const missing = /^no such function: (.+)$/.exec(messageOf(error));
    if (!missing) throw error;
    const { addShellFunctionsFor } = await import("./functions.ts");
    if (!addShellFunctionsFor(db, missing[1])) throw error;
    return db.prepareBytes(bytes, from);
  }
}

async function runStatement(
  state: ShellState,
  statement: Statement,
  kind: number,
  sql: string,
): Promise<unknown> {
  statement.setReadBigInts(true);
  statement.setReturnArrays(true);
  const names = statement.columnNames();
  const stepper = new Stepper(statement, { firstAsync: state.asyncFirstStep });
  if (names.length === 0) {
    try {
      for (;;) {
        let row = stepper.next();
        if (typeof row !== "boolean") row = await row;
        if (!row) return null;
      }
    } catch (error) {
      return error;
    }
  }
  if (kind === 2 && state.autoExplain) return await collectPlan(state, statement);
  // sqlite3 lays EXPLAIN out as a listing only when the text itself starts with the word.
  const listing = kind === 1 && state.autoExplain && /^[ \t\n]*explain/i.test(sql);
  const mode = listing ? "explain" : state.format.mode;
  const settings: FormatSettings = mode === state.format.mode
    ? state.format
    : { ...state.format, mode };
  // As sqlite3: a statement whose first step fails prints nothing; rows that came before a
  // later failure are printed (and the result closed) before the error is reported.
  try {
    let first = stepper.next();
    if (typeof first !== "boolean") first = await first;
    if (!first) return null;
  } catch (error) {
    return error;
  }
  if (settings.mode === "list") {
    const { printListRows } = await import("./format/list_fast.ts");
    return await printListRows(statement, stepper, names, settings, state.out);
  }
  if (settings.mode === "csv") {
    const { printCsvRows } = await import("./format/list_fast.ts");
    return await printCsvRows(statement, stepper, names, settings, state.out);
  }
  const createPrinter = await loadPrinter(settings.mode);
  const printer = createPrinter(settings, state.out, { stdout: state.stdout });
  printer.begin(names);
  let failure: unknown = null;
  try {
    for (;;) {
      printer.row(statement.row());
      let more = stepper.next();
      if (typeof more !== "boolean") more = await more;
      if (!more) break;
    }
  } catch (error) {
    failure = error;
  }
  printer.end();
  return failure;
}

/**
 * Print a query plan as sqlite3's tree. With `groups` (the `.eqp` path), a row whose text
 * starts with "-" begins a new tree, as sqlite3 draws it.
 */
async function collectPlan(
  state: ShellState,
  statement: Statement,
  groups = false,
): Promise<unknown> {
  let rows: SqlValue[][];
  try {
    rows = statement.setReturnArrays(true).all();
  } catch (error) {
    return error;
  }
  const { renderQueryPlan } = await import("./format/query_plan.ts");
  let group: { id: number; parent: number; detail: string }[] = [];
  for (const row of rows) {
    const detail = String(row[3] ?? "");
    if (groups && detail.startsWith("-") && group.length > 0) {
      state.out.write(renderQueryPlan(group));
      group = [];
    }
    group.push({ id: Number(row[0]), parent: Number(row[1]), detail });
  }
  if (group.length > 0) state.out.write(renderQueryPlan(group));
  return null;
}

/** `.eqp on`: the plan of a statement, printed before it runs. */
async function printPlan(state: ShellState, sql: string): Promise<void> {
  try {
    const plan = state.db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
    try {
      await collectPlan(state, plan, true);
    } finally {
      plan.finalize();
    }
    if (state.autoEqp === "full") {
      const listing = state.db.prepare(`EXPLAIN ${sql}`);
      try {
        await runStatement(state, listing, 1, `EXPLAIN ${sql}`);
      } finally {
        listing.finalize();
      }
    }
  } catch {
    // sqlite3 shows nothing when the plan cannot be prepared; the statement reports it.
  }
}

/** The message of an error (SQLite's own text for a SqliteError). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** SQLite's primary result code of an error (1 when it has none). */
function primaryCode(error: unknown): number {
  const code = (error as { errcode?: number }).errcode;
  return typeof code === "number" && (code & 0xff) > 0 ? code & 0xff : 1;
}

/** sqlite3 appends the primary result code when it is more than SQLITE_ERROR. */
function codeSuffix(error: unknown): string {
  const code = primaryCode(error);
  return code > 1 ? ` (${code})` : "";
}
