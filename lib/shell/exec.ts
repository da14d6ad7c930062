/**
 * Running SQL text the way sqlite3's `shell_exec` does: statement by statement, each
 * prepared only after the one before it ran, results printed in the current mode, and the
 * first error ending the text with sqlite3's message (`in prepare, …` / `stepping, …`).
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { loadPrinter } from "./format/printer_loader.ts";
import type { FormatSettings } from "./format/settings.ts";
import type { ShellState } from "./state.ts";
import { explainKind, nextStatement } from "./sql/scan.ts";
import type { SqlValue } from "./value.ts";

type ArrayStatement = StatementSync & { setReturnArrays(on: boolean): void };

/** The first failure of a run: sqlite3's text (`in prepare, …`) and SQLite's primary code. */
export interface ExecFailure {
  text: string;
  code: number;
}

/**
 * Run every statement of `sql`, printing results to `state.out`. Returns null on success,
 * else the first failure (later statements are not run).
 */
export async function execSql(state: ShellState, sql: string): Promise<ExecFailure | null> {
  // Opening the database happens here, outside the statement's error handling: a file
  // that cannot be opened ends the shell (sqlite3's open_db), it is not a parse error.
  const db = state.db;
  for (let slice = nextStatement(sql, 0); slice; slice = nextStatement(sql, slice.end)) {
    if (slice.blank) continue;
    let statement: ArrayStatement;
    try {
      statement = await prepare(db, slice.sql);
    } catch (error) {
      const message = messageOf(error);
      const { errorContext, errorOffset } = await import("./sql/error_location.ts");
      const context = errorContext(
        sql.slice(slice.start),
        errorOffset(db, sql.slice(slice.start), message),
      );
      return {
        text: `in prepare, ${message}${codeSuffix(error)}${context}`,
        code: primaryCode(error),
      };
    }
    const kind = explainKind(slice.sql);
    if (state.autoEqp !== "off" && kind === 0) await printPlan(state, slice.sql);
    const error = await runStatement(state, statement, kind, slice.sql);
    if (error) {
      return {
        text: `stepping, ${messageOf(error)}${codeSuffix(error)}`,
        code: primaryCode(error),
      };
    }
  }
  return null;
}

/**
 * Prepare one statement. A "no such function" naming one of the functions sqlite3 has
 * beyond Deno's build (sqrt, regexp, …) adds them to the connection and prepares again.
 */
async function prepare(db: DatabaseSync, sql: string): Promise<ArrayStatement> {
  try {
    return db.prepare(sql) as ArrayStatement;
  } catch (error) {
    const missing = /^no such function: (.+)$/.exec(messageOf(error));
    if (!missing) throw error;
    const { addShellFunctionsFor } = await import("./functions.ts");
    if (!addShellFunctionsFor(db, missing[1])) throw error;
    return db.prepare(sql) as ArrayStatement;
  }
}

async function runStatement(
  state: ShellState,
  statement: ArrayStatement,
  kind: number,
  sql: string,
): Promise<unknown> {
  statement.setReadBigInts(true);
  statement.setReturnArrays(true);
  const names = statement.columns().map((c) => c.name);
  if (names.length === 0) {
    try {
      statement.run();
      return null;
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
  let rows: SqlValue[][];
  try {
    rows = allRows(statement);
  } catch (error) {
    return error;
  }
  const createPrinter = await loadPrinter(settings.mode);
  const printer = createPrinter(settings, state.out, { stdout: state.stdout });
  printer.begin(names);
  for (const row of rows) printer.row(row);
  printer.end();
  return null;
}

/**
 * Print a query plan as sqlite3's tree. With `groups` (the `.eqp` path), a row whose text
 * starts with "-" begins a new tree, as sqlite3 draws it.
 */
async function collectPlan(
  state: ShellState,
  statement: ArrayStatement,
  groups = false,
): Promise<unknown> {
  let rows: SqlValue[][];
  try {
    rows = allRows(statement);
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
    const plan = state.db.prepare(`EXPLAIN QUERY PLAN ${sql}`) as ArrayStatement;
    plan.setReturnArrays(true);
    await collectPlan(state, plan, true);
    if (state.autoEqp === "full") {
      const listing = state.db.prepare(`EXPLAIN ${sql}`) as ArrayStatement;
      await runStatement(state, listing, 1, `EXPLAIN ${sql}`);
    }
  } catch {
    // sqlite3 shows nothing when the plan cannot be prepared; the statement reports it.
  }
}

/**
 * Every row of a statement. Not `iterate()`: in Deno 2.9 it ends quietly when a step fails
 * (a CHECK constraint in `INSERT … RETURNING`, an integer overflow), where `all()` throws.
 */
function allRows(statement: ArrayStatement): SqlValue[][] {
  return statement.all() as unknown as SqlValue[][];
}

/** The message of an error from node:sqlite. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** SQLite's primary result code of an error from node:sqlite (1 when it has none). */
function primaryCode(error: unknown): number {
  const code = (error as { errcode?: number }).errcode;
  return typeof code === "number" && (code & 0xff) > 0 ? code & 0xff : 1;
}

/** sqlite3 appends the primary result code when it is more than SQLITE_ERROR. */
function codeSuffix(error: unknown): string {
  const code = primaryCode(error);
  return code > 1 ? ` (${code})` : "";
}
