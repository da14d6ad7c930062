/**
 * `.dump` as in sqlite3 3.40: the schema and the rows of every table (or of the tables
 * matching LIKE patterns) as an SQL script that rebuilds the database, wrapped in a
 * transaction that ends in `COMMIT;`, or `ROLLBACK; -- due to errors` when a table could
 * not be read.
 */
import type { Database } from "../../sqlite/database.ts";
import type { DotCommand, DotContext, DotStatus } from "./registry.ts";
import { writeInsertRows } from "./insert_rows.ts";
import { asText, queryRows } from "./query.ts";
import { schemaLine } from "./schema_text.ts";
import { asciiUpper, quoteIfNeeded, sqlLiteral } from "./sql_quote.ts";

/** The switches of one `.dump`. */
interface DumpOptions {
  preserveRowids: boolean;
  newlines: boolean;
  dataOnly: boolean;
  noSys: boolean;
}

/** What one `.dump` run carries between tables. */
interface DumpRun {
  ctx: DotContext;
  options: DumpOptions;
  /** `PRAGMA writable_schema=ON;` has been printed (a virtual table was dumped). */
  writableSchema: boolean;
  errors: number;
}

/** The SQL condition selecting objects that match `pattern`, or shadow tables of a match. */
function likeCondition(pattern: string): string {
  const p = sqlLiteral(pattern);
  return `name LIKE ${p} ESCAPE '\\' OR EXISTS (` +
    `  SELECT 1 FROM sqlite_schema WHERE ` +
    `    name LIKE ${p} ESCAPE '\\' AND` +
    `    sql LIKE 'CREATE VIRTUAL TABLE%' AND` +
    `    substr(o.name, 1, length(name)+1) == (name||'_')` +
    `)`;
}

/** sqlite3_table_column_metadata's answer to "is `name` a column of `table`?" for rowid aliases. */
function rowidUsable(db: Database, table: string, name: string): boolean {
  try {
    db.prepare(`SELECT ${name} FROM ${quoteIfNeeded(table)}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * sqlite3's tableColumnList: the columns of `table`, and the name to select its rowid by
 * when `--preserve-rowids` asks for it and the rowid is not an INTEGER PRIMARY KEY alias.
 * Null when the table has no readable columns.
 */
function tableColumns(
  db: Database,
  table: string,
  preserveRowids: boolean,
): { rowid: string | null; columns: string[] } | null {
  let info;
  try {
    info = queryRows(db, `PRAGMA table_info=${sqlLiteral(table)}`);
  } catch {
    return null;
  }
  if (info.length === 0) return null;
  const columns = info.map((row) => asText(row[1]) ?? "");
  let keys = 0;
  let integerKey = false;
  for (const row of info) {
    if (row[5] === 0n || row[5] === null) continue;
    keys++;
    integerKey = keys === 1 && asciiUpper(asText(row[2]) ?? "") === "INTEGER";
  }
  let preserve = preserveRowids;
  if (preserve && integerKey) {
    // One INTEGER PRIMARY KEY is the rowid itself, unless the table is WITHOUT ROWID or the
    // key is DESC: then a "pk" index exists.
    try {
      const sql = `SELECT 1 FROM pragma_index_list(${sqlLiteral(table)}) WHERE origin='pk'`;
      preserve = queryRows(db, sql).length > 0;
    } catch {
      return null;
    }
  }
  let rowid: string | null = null;
  if (preserve) {
    const upper = columns.map(asciiUpper);
    const free = ["rowid", "_rowid_", "oid"].find((name) => !upper.includes(asciiUpper(name)));
    if (free !== undefined && rowidUsable(db, table, free)) rowid = free;
  }
  return { rowid, columns };
}

/** Print the INSERT statements that refill `table`. */
function dumpRows(run: DumpRun, table: string): void {
  const { state } = run.ctx;
  const list = tableColumns(state.db, table, run.options.preserveRowids);
  if (list === null) {
    run.errors++;
    return;
  }
  const columns = list.columns.map(quoteIfNeeded);
  const selected = list.rowid === null ? columns : [list.rowid, ...columns];
  const target = quoteIfNeeded(table) + (list.rowid === null ? "" : `(${selected.join(",")})`);
  const select = `SELECT ${selected.join(",")} FROM ${quoteIfNeeded(table)}`;
  try {
    writeInsertRows(state, select, target, { newlines: run.options.newlines });
  } catch {
    run.errors++;
  }
}

/** sqlite3's dump_callback: one table's CREATE statement (or stand-in) and its rows. */
function dumpTable(run: DumpRun, name: string, type: string, sql: string): void {
  const { out } = run.ctx.state;
  const { dataOnly, noSys } = run.options;
  if (name === "sqlite_sequence" && !noSys) {
    if (!dataOnly) out.write("DELETE FROM sqlite_sequence;\n");
  } else if (/^sqlite_stat.$/s.test(name) && !noSys) {
    if (!dataOnly) out.write("ANALYZE sqlite_schema;\n");
  } else if (name.startsWith("sqlite_")) {
    return;
  } else if (dataOnly) {
    // only the rows
  } else if (sql.startsWith("CREATE VIRTUAL TABLE")) {
    // A virtual table cannot be created before its module is loaded: write its schema row.
    if (!run.writableSchema) {
      out.write("PRAGMA writable_schema=ON;\n");
      run.writableSchema = true;
    }
    const literal = (text: string) => sqlLiteral(text);
    out.write(
      "INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)" +
        `VALUES('table',${literal(name)},${literal(name)},0,${literal(sql)});\n`,
    );
    return;
  } else {
    out.write(schemaLine(sql, ";\n"));
  }
  if (type === "table") dumpRows(run, name);
}

/** Print the indexes, triggers and views (sqlite3's run_table_dump_query). */
function dumpOtherObjects(run: DumpRun, condition: string): void {
  const { db, out } = run.ctx.state;
  const rows = queryRows(
    db,
    `SELECT sql FROM sqlite_schema AS o WHERE (${condition}) AND sql NOT NULL` +
      "  AND type IN ('index','trigger','view')",
  );
  for (const row of rows) {
    const sql = asText(row[0]) ?? "";
    // A statement with a `--` comment in it gets its `;` on a line of its own.
    out.write(sql + (sql.includes("--") ? "\n;\n" : ";\n"));
  }
}

/** Ignore the failure of a statement whose outcome sqlite3 does not check either. */
function tryExec(db: Database, sql: string): void {
  try {
    db.exec(sql);
  } catch {
    // sqlite3 runs these with sqlite3_exec and no error check.
  }
}

/** `.dump ?OBJECTS?` */
function runDump(ctx: DotContext, args: string[]): DotStatus {
  const { db, out, stderr } = ctx.state;
  const options: DumpOptions = {
    preserveRowids: false,
    newlines: false,
    dataOnly: false,
    noSys: false,
  };
  const conditions: string[] = [];
  for (const arg of args) {
    if (!arg.startsWith("-")) {
      conditions.push(likeCondition(arg));
      continue;
    }
    const option = arg.startsWith("--") ? arg.slice(2) : arg.slice(1);
    if (option === "preserve-rowids") options.preserveRowids = true;
    else if (option === "newlines") options.newlines = true;
    else if (option === "data-only") options.dataOnly = true;
    else if (option === "nosys") options.noSys = true;
    else {
      stderr.write(`Unknown option "${arg}" on ".dump"\n`);
      return 1;
    }
  }
  const condition = conditions.length > 0 ? conditions.join(" OR ") : "true";
  if (!options.dataOnly) out.write("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n");
  const run: DumpRun = { ctx, options, writableSchema: false, errors: 0 };
  // writable_schema makes SQLite load as much of a damaged schema as it can.
  tryExec(db, "SAVEPOINT dump; PRAGMA writable_schema=ON");
  try {
    const tables = queryRows(
      db,
      `SELECT name, type, sql FROM sqlite_schema AS o WHERE (${condition}) AND type=='table'` +
        "  AND sql NOT NULL ORDER BY tbl_name='sqlite_sequence', rowid",
    );
    for (const [name, type, sql] of tables) {
      if (name === null || type === null) continue;
      dumpTable(run, asText(name)!, asText(type)!, asText(sql) ?? "");
    }
  } catch {
    // sqlite3 only reacts to SQLITE_CORRUPT here, which node:sqlite cannot tell apart.
  }
  if (!options.dataOnly) {
    try {
      dumpOtherObjects(run, condition);
    } catch {
      run.errors++;
    }
  }
  if (run.writableSchema) out.write("PRAGMA writable_schema=OFF;\n");
  tryExec(db, "PRAGMA writable_schema=OFF;");
  tryExec(db, "RELEASE dump;");
  if (!options.dataOnly) out.write(run.errors ? "ROLLBACK; -- due to errors\n" : "COMMIT;\n");
  return 0;
}

/** `.dump ?OBJECTS?` */
export const dumpCommand: DotCommand = {
  name: "dump",
  args: "?OBJECTS?",
  summary: "Render database content as SQL",
  minPrefix: 1,
  run: runDump,
};

/** The dump dot-commands. */
export const dumpCommands: DotCommand[] = [dumpCommand];
