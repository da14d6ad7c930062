/**
 * Schema dot-commands as sqlite3 3.40 prints them: `.tables`, `.indexes` (`.indices`),
 * `.schema`, `.databases` and `.fullschema`.
 */
import type { Database } from "../../sqlite/database.ts";
import type { DotCommand, DotContext, DotStatus } from "./registry.ts";
import { asText, errorMessage, queryRows } from "./query.ts";
import { prettySchema, schemaLine, utf8Length } from "./schema_text.ts";
import {
  asciiUpper,
  quoteChar,
  quoteIfNeeded,
  sqlIdentifier,
  sqlLiteral,
  wrapQuoted,
} from "./sql_quote.ts";
import { writeInsertRows } from "./insert_rows.ts";

/** The names and files of the attached databases, in `PRAGMA database_list` order. */
function databaseList(db: Database): { name: string; file: string | null }[] {
  return queryRows(db, "PRAGMA database_list")
    .filter((row) => row[1] !== null)
    .map((row) => ({ name: asText(row[1])!, file: asText(row[2]) }));
}

/** Lay names out in as many columns as fit 80 characters, filled top to bottom. */
function columnLayout(names: string[]): string {
  const width = Math.max(...names.map(utf8Length));
  const columns = Math.max(1, Math.floor(80 / (width + 2)));
  const rows = Math.ceil(names.length / columns);
  let out = "";
  for (let i = 0; i < rows; i++) {
    for (let j = i; j < names.length; j += rows) {
      const name = names[j];
      out += (j < rows ? "" : "  ") + name + " ".repeat(width - utf8Length(name));
    }
    out += "\n";
  }
  return out;
}

/** `.tables` and `.indexes`: one query over every attached database, then the column layout. */
function listObjects(ctx: DotContext, args: string[], kind: "tables" | "indexes"): DotStatus {
  const { db, stderr, out } = ctx.state;
  let names: string[];
  try {
    const parts: string[] = [];
    const databases = databaseList(db);
    if (kind === "indexes" && args.length > 1) {
      // As in sqlite3, only .indexes complains about extra arguments.
      stderr.write("Usage: .indexes ?LIKE-PATTERN?\n");
      return 1;
    }
    for (const { name } of databases) {
      const column = asciiUpper(name) === "MAIN" ? "name" : `${sqlLiteral(name)}||'.'||name`;
      const filter = kind === "tables"
        ? "type IN ('table','view') AND name NOT LIKE 'sqlite_%' AND name LIKE ?1"
        : "type='index' AND tbl_name LIKE ?1";
      parts.push(`SELECT ${column} FROM ${sqlIdentifier(name)}.sqlite_schema WHERE ${filter}`);
    }
    const rows = queryRows(db, parts.join(" UNION ALL ") + " ORDER BY 1", [args[0] ?? "%"]);
    names = rows.map((row) => asText(row[0]) ?? "");
  } catch (error) {
    stderr.write(`Error: ${errorMessage(error)}\n`);
    return 1;
  }
  if (names.length > 0) out.write(columnLayout(names));
  return 0;
}

/** sqlite3's shellFakeSchema: `name(col,…)` for a view or virtual table, or null without columns. */
function fakeSchema(db: Database, schema: string | null, name: string): string | null {
  let columns: string[];
  try {
    const sql = `PRAGMA ${sqlIdentifier(schema ?? "main")}.table_info=${sqlLiteral(name)}`;
    columns = queryRows(db, sql).map((row) => quoteIfNeeded(asText(row[1]) ?? ""));
  } catch {
    return null;
  }
  if (columns.length === 0) return null;
  let prefix = "";
  if (schema !== null) {
    const quote = asciiUpper(schema) === "TEMP" ? "" : quoteChar(schema);
    prefix = wrapQuoted(schema, quote) + ".";
  }
  return `${prefix}${quoteIfNeeded(name)}(${columns.join(",")})`;
}

const CREATE_KINDS = ["TABLE", "INDEX", "UNIQUE INDEX", "VIEW", "TRIGGER", "VIRTUAL TABLE"];

/** sqlite3's shell_add_schema: put `schema.` into a CREATE statement and describe views. */
function addSchemaName(
  db: Database,
  sql: string,
  schema: string | null,
  name: string | null,
): string {
  if (!sql.startsWith("CREATE ")) return sql;
  for (const kind of CREATE_KINDS) {
    const n = kind.length;
    if (sql.slice(7, 7 + n) !== kind || sql[7 + n] !== " ") continue;
    let result: string | null = null;
    if (schema !== null) {
      const head = sql.slice(0, 7 + n);
      const rest = sql.slice(8 + n);
      result = quoteChar(schema) && asciiUpper(schema) !== "TEMP"
        ? `${head} ${sqlIdentifier(schema)}.${rest}`
        : `${head} ${schema}.${rest}`;
    }
    const fake = name !== null && kind[0] === "V" ? fakeSchema(db, schema, name) : null;
    if (fake !== null) result = `${result ?? sql}\n/* ${fake} */`;
    if (result !== null) return result;
  }
  return sql;
}

/** True when sqlite3's LIKE (case-insensitive, `\` escapes) matches `text` against `pattern`. */
function likeMatches(db: Database, text: string, pattern: string): boolean {
  const rows = queryRows(db, "SELECT ?1 LIKE ?2 ESCAPE '\\'", [text, pattern]);
  return rows[0][0] === 1n;
}

/** Options of `.schema`. */
interface SchemaOptions {
  pattern: string | null;
  indent: boolean;
  noSys: boolean;
}

/** The statements `.schema` prints, in its order (schema number, then rowid; modules last). */
function schemaStatements(db: Database, options: SchemaOptions): string[] {
  const { pattern } = options;
  const selects = databaseList(db).map(({ name }, i) =>
    `SELECT sql, type, tbl_name, name, rowid, ${i + 1} AS snum, ${sqlLiteral(name)} AS sname, ` +
    `0 AS module FROM ${wrapQuoted(name, quoteChar(name))}.sqlite_schema`
  );
  if (pattern !== null) {
    // Table-valued functions and eponymous virtual tables have no schema row: sqlite3
    // describes them in a comment, after everything else.
    selects.push(
      "SELECT NULL, 'table', name, name, name, 9e+99, 'main', 1 FROM pragma_module_list",
    );
  }
  let where = "";
  const params: string[] = [];
  if (pattern !== null) {
    const glob = /[*?[]/.test(pattern);
    where += pattern.includes(".") ? "lower(printf('%s.%s',sname,tbl_name))" : "lower(tbl_name)";
    where += glob ? " GLOB ?1 AND " : " LIKE ?1 ESCAPE '\\' AND ";
    params.push(pattern);
  }
  if (options.noSys) where += "name NOT LIKE 'sqlite_%' AND ";
  const sql = `SELECT sql, sname, name, module, snum FROM (${selects.join(" UNION ALL ")}) ` +
    `WHERE ${where}(module OR sql IS NOT NULL) ORDER BY snum, rowid`;
  const statements: string[] = [];
  for (const row of queryRows(db, sql, params)) {
    const name = asText(row[2]);
    if (row[3] === 1n) {
      const fake = name === null ? null : fakeSchema(db, null, name);
      if (fake !== null) statements.push(`/* ${fake} */`);
      continue;
    }
    const schema = asText(row[1])!;
    const text = asText(row[0])!;
    statements.push(addSchemaName(db, text, asciiUpper(schema) === "MAIN" ? null : schema, name));
  }
  return statements;
}

/** sqlite3's schema callback: MODE_Semi, or MODE_Pretty for `--indent`. */
function renderStatement(sql: string, indent: boolean): string {
  return indent ? prettySchema(sql) : schemaLine(sql, ";\n");
}

/** `.schema ?PATTERN? ?--indent? ?--nosys?` */
function runSchema(ctx: DotContext, args: string[]): DotStatus {
  const { db, out, stderr } = ctx.state;
  const options: SchemaOptions = { pattern: null, indent: false, noSys: false };
  for (const arg of args) {
    const option = arg.replace(/^--?/, "");
    if (arg.startsWith("-") && option === "indent") options.indent = true;
    else if (arg.startsWith("-") && option === "debug") continue;
    else if (arg.startsWith("-") && option === "nosys") options.noSys = true;
    else if (arg.startsWith("-")) {
      stderr.write(`Unknown option: "${arg}"\n`);
      return 1;
    } else if (options.pattern === null) options.pattern = arg;
    else {
      stderr.write("Usage: .schema ?--indent? ?--nosys? ?LIKE-PATTERN?\n");
      return 1;
    }
  }
  try {
    const { pattern } = options;
    const schemaTables = ["sqlite_master", "sqlite_schema", "sqlite_temp_master"];
    if (
      pattern !== null &&
      [...schemaTables, "sqlite_temp_schema"].some((t) => likeMatches(db, t, pattern))
    ) {
      const fake = `CREATE TABLE ${pattern} (\n  type text,\n  name text,\n  tbl_name text,\n` +
        "  rootpage integer,\n  sql text\n)";
      out.write(renderStatement(fake, options.indent));
    }
    for (const sql of schemaStatements(db, options)) {
      out.write(renderStatement(sql, options.indent));
    }
  } catch (error) {
    stderr.write(`Error: ${errorMessage(error)}\n`);
    return 1;
  }
  return 0;
}

/** `.databases`: name, file and access of each attached database. */
function runDatabases(ctx: DotContext): DotStatus {
  const { db, out, stderr } = ctx.state;
  let databases;
  try {
    databases = databaseList(db);
  } catch (error) {
    stderr.write(`Error: ${errorMessage(error)}\n`);
    return 1;
  }
  for (const { name, file } of databases) {
    if (file === null) continue;
    // node:sqlite exposes neither sqlite3_db_readonly nor sqlite3_txn_state: a read-only
    // session is read-only everywhere, and the transaction state is not shown.
    const access = ctx.state.readOnly ? "r/o" : "r/w";
    out.write(`${name}: ${file === "" ? '""' : file} ${access}\n`);
  }
  return 0;
}

/** `.fullschema ?--indent?`: the schema without sqlite_ objects, then the sqlite_stat tables. */
function runFullSchema(ctx: DotContext, args: string[]): DotStatus {
  const { db, out, stderr } = ctx.state;
  let indent = false;
  let rest = args;
  if (args.length === 1 && /^--?indent$/.test(args[0])) {
    indent = true;
    rest = [];
  }
  if (rest.length !== 0) {
    stderr.write("Usage: .fullschema ?--indent?\n");
    return 1;
  }
  let hasStats: boolean;
  try {
    const rows = queryRows(
      db,
      "SELECT sql FROM (SELECT sql sql, type type, tbl_name tbl_name, name name, rowid x " +
        "FROM sqlite_schema UNION ALL SELECT sql, type, tbl_name, name, rowid " +
        "FROM sqlite_temp_schema) WHERE type!='meta' AND sql NOTNULL " +
        "AND name NOT LIKE 'sqlite_%' ORDER BY x",
    );
    for (const row of rows) out.write(renderStatement(asText(row[0])!, indent));
    hasStats = queryRows(
      db,
      "SELECT rowid FROM sqlite_schema WHERE name GLOB 'sqlite_stat[134]'",
    ).length > 0;
  } catch {
    return 1;
  }
  if (!hasStats) {
    out.write("/* No STAT tables available */\n");
    return 0;
  }
  out.write("ANALYZE sqlite_schema;\n");
  // sqlite3 ignores errors here (sqlite_stat4 rarely exists).
  for (const table of ["sqlite_stat1", "sqlite_stat4"]) {
    try {
      writeInsertRows(ctx.state, `SELECT * FROM ${table}`, table, { newlines: false });
    } catch {
      // no such table
    }
  }
  out.write("ANALYZE sqlite_schema;\n");
  return 0;
}

/** `.tables ?TABLE?` */
export const tablesCommand: DotCommand = {
  name: "tables",
  args: "?TABLE?",
  summary: "List names of tables matching LIKE pattern TABLE",
  minPrefix: 2,
  run: (ctx, args) => listObjects(ctx, args, "tables"),
};

/** `.indexes ?TABLE?` */
export const indexesCommand: DotCommand = {
  name: "indexes",
  args: "?TABLE?",
  summary: "Show names of indexes",
  minPrefix: 2,
  run: (ctx, args) => listObjects(ctx, args, "indexes"),
};

/**
 * `.indices`, sqlite3's undocumented spelling of `.indexes`. Not in {@linkcode schemaCommands}
 * because `.help` does not list it; the registry needs it to accept `.indi…` abbreviations.
 */
export const indicesCommand: DotCommand = { ...indexesCommand, name: "indices" };

/** `.schema ?PATTERN?` */
export const schemaCommand: DotCommand = {
  name: "schema",
  args: "?PATTERN?",
  summary: "Show the CREATE statements matching PATTERN",
  minPrefix: 3,
  run: runSchema,
};

/** `.databases` */
export const databasesCommand: DotCommand = {
  name: "databases",
  args: "",
  summary: "List names and files of attached databases",
  minPrefix: 2,
  run: runDatabases,
};

/** `.fullschema ?--indent?` */
export const fullSchemaCommand: DotCommand = {
  name: "fullschema",
  args: "?--indent?",
  summary: "Show schema and the content of sqlite_stat tables",
  minPrefix: 2,
  run: runFullSchema,
};

/** The schema dot-commands, in `.help` order. */
export const schemaCommands: DotCommand[] = [
  databasesCommand,
  fullSchemaCommand,
  indexesCommand,
  schemaCommand,
  tablesCommand,
];
