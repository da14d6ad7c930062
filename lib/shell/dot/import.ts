/**
 * `.import FILE TABLE` as in sqlite3 3.40: CSV or ASCII-delimited input from a file or a
 * `|command`, separators from the output mode unless `--csv`/`--ascii`, a TEXT table made
 * from the header row when TABLE does not exist, and 3.40's warnings for ragged rows.
 */
import type { Database } from "../../sqlite/database.ts";
import { intValue } from "../arg_values.ts";
import { cStringText } from "../format/values.ts";
import type { DotCommand, DotContext, DotStatus } from "./registry.ts";
import { EOF, FieldReader } from "./csv_reader.ts";
import { importColumns } from "./import_columns.ts";
import { helpText } from "./help.ts";
import { errorMessage } from "./query.ts";
import { utf8Length } from "./schema_text.ts";
import { sqlIdentifier } from "./sql_quote.ts";

const SUMMARY = "Import data from FILE into TABLE";
/** sqlite3 shows `.help import` after a usage error. */
const usageText = () => helpText("import");

/** What the command line of `.import` asked for. */
interface ImportRequest {
  file: string;
  table: string;
  schema: string | null;
  skip: number;
  verbose: number;
  /** Separators given by `--csv` / `--ascii`, or null to take them from the output mode. */
  separators: { col: number; row: number; ascii: boolean } | null;
}

/** Parse the arguments, or return the usage complaint sqlite3 prints on standard output. */
function parseArgs(args: string[]): ImportRequest | string {
  let file: string | null = null;
  let table: string | null = null;
  const parsed: Omit<ImportRequest, "file" | "table"> = {
    schema: null,
    skip: 0,
    verbose: 0,
    separators: null,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i].startsWith("--") ? args[i].slice(1) : args[i];
    if (!arg.startsWith("-")) {
      if (file === null) file = arg;
      else if (table === null) table = arg;
      else return `ERROR: extra argument: "${arg}".  Usage:\n${usageText()}`;
    } else if (arg === "-v") {
      parsed.verbose++;
    } else if (arg === "-schema" && i < args.length - 1) {
      parsed.schema = args[++i];
    } else if (arg === "-skip" && i < args.length - 1) {
      parsed.skip = intValue(args[++i]);
    } else if (arg === "-ascii") {
      parsed.separators = { col: 0x1f, row: 0x1e, ascii: true };
    } else if (arg === "-csv") {
      parsed.separators = { col: 0x2c, row: 0x0a, ascii: false };
    } else {
      return `ERROR: unknown option: "${arg}".  Usage:\n${usageText()}`;
    }
  }
  if (file === null || table === null) {
    return `ERROR: missing ${file === null ? "FILE" : "TABLE"} argument. Usage:\n${usageText()}`;
  }
  return { ...parsed, file, table };
}

/** The separators the output mode implies, or the error sqlite3 gives for unusable ones. */
function modeSeparators(ctx: DotContext): { col: number; row: number } | string {
  const format = ctx.state.format;
  const colLength = utf8Length(format.colSeparator);
  if (colLength === 0) return "Error: non-null column separator required for import\n";
  if (colLength > 1) return "Error: multi-character column separators not allowed for import\n";
  if (format.rowSeparator === "") return "Error: non-null row separator required for import\n";
  if (format.mode === "csv" && format.rowSeparator === "\r\n") {
    // sqlite3 reads CSV rows ending in "\n" (a CR before it is dropped) and, as a lasting
    // side effect, switches the output row separator to "\n" too.
    format.rowSeparator = "\n";
  }
  if (utf8Length(format.rowSeparator) > 1) {
    return "Error: multi-character row separators not allowed for import\n";
  }
  return { col: format.colSeparator.charCodeAt(0), row: format.rowSeparator.charCodeAt(0) };
}

/** The input bytes: a file, or the standard output of `|command`; null when it cannot be read. */
function readInput(file: string): Uint8Array | null {
  try {
    if (file.startsWith("|")) {
      const child = new Deno.Command("/bin/sh", {
        args: ["-c", file.slice(1), "sh"],
        stdin: "inherit",
        stdout: "piped",
        stderr: "inherit",
      }).outputSync();
      return child.stdout;
    }
    // fopen() opens a directory fine and then reads nothing.
    if (Deno.statSync(file).isDirectory) return new Uint8Array(0);
    return Deno.readFileSync(file);
  } catch {
    return null;
  }
}

const decoder = new TextDecoder();

/** A field as sqlite3_bind_text(…, -1) sees it: text up to the first NUL. */
function fieldText(field: Uint8Array | null): string | null {
  if (field === null) return null;
  const nul = field.indexOf(0);
  return decoder.decode(nul < 0 ? field : field.subarray(0, nul));
}

/** Run one SQL statement; node:sqlite's exec() would decorate the error message. */
function runStatement(db: Database, sql: string): void {
  db.prepare(sql).run();
}

/** Run `action`, ignoring a failure the way sqlite3 ignores sqlite3_exec's result. */
function ignoreFailure(action: () => void): void {
  try {
    action();
  } catch {
    // nothing to report: sqlite3 does not check BEGIN/COMMIT around an import either
  }
}

/** `.import FILE TABLE` */
function runImport(ctx: DotContext, args: string[]): DotStatus {
  const { state } = ctx;
  const { db, out, stderr } = state;
  const request = parseArgs(args);
  if (typeof request === "string") {
    out.write(request);
    return 1;
  }
  let separators: { col: number; row: number };
  if (request.separators) {
    separators = request.separators;
  } else {
    const fromMode = modeSeparators(ctx);
    if (typeof fromMode === "string") {
      stderr.write(fromMode);
      return 1;
    }
    separators = fromMode;
  }
  const ascii = request.separators ? request.separators.ascii : state.format.mode === "ascii";
  const input = readInput(request.file);
  if (input === null) {
    stderr.write(`Error: cannot open "${request.file}"\n`);
    return 1;
  }
  const name = request.file.startsWith("|") ? "<pipe>" : request.file;
  const reader = new FieldReader(
    input,
    name,
    separators.col,
    separators.row,
    (message) => stderr.write(message),
  );
  const read = () => ascii ? reader.readAscii() : reader.readCsv();
  if (request.verbose >= 2 || (request.verbose >= 1 && request.separators === null)) {
    out.write(
      `Column separator ${cStringText(Uint8Array.of(separators.col))}, ` +
        `row separator ${cStringText(Uint8Array.of(separators.row))}\n`,
    );
  }
  for (let skip = request.skip; skip > 0; skip--) {
    while (read() !== null && reader.term === reader.colSep) { /* rest of the row */ }
  }
  const target = request.schema === null
    ? sqlIdentifier(request.table)
    : `${sqlIdentifier(request.schema)}.${sqlIdentifier(request.table)}`;
  const select = `SELECT * FROM ${target}`;
  let columnCount: number;
  try {
    columnCount = db.prepare(select).columns().length;
  } catch (error) {
    const message = errorMessage(error);
    if (!message.startsWith("no such table: ")) {
      stderr.write(`Error: ${message}\n`);
      return 1;
    }
    const created = createTable(ctx, reader, read, target, request.verbose);
    if (!created) return 1;
    try {
      columnCount = db.prepare(select).columns().length;
    } catch (error) {
      stderr.write(`Error: ${errorMessage(error)}\n`);
      return 1;
    }
  }
  if (columnCount === 0) return 0;
  const insertSql = `INSERT INTO ${target} VALUES(?${",?".repeat(columnCount - 1)})`;
  if (request.verbose >= 2) out.write(`Insert using: ${insertSql}\n`);
  let insert;
  try {
    insert = db.prepare(insertSql);
  } catch (error) {
    stderr.write(`Error: ${errorMessage(error)}\n`);
    return 1;
  }
  const ownTransaction = !db.isTransaction;
  if (ownTransaction) ignoreFailure(() => db.exec("BEGIN"));
  const counts = { rows: 0, errors: 0, lastFailed: false };
  do {
    const startLine = reader.line;
    const values: (string | null)[] = new Array(columnCount).fill(null);
    let i = 0;
    for (; i < columnCount; i++) {
      const field = read();
      if (field === null && i === 0) break;
      // In ascii mode an empty line ends the import of that row, as in sqlite3.
      if (state.format.mode === "ascii" && (field === null || field.length === 0) && i === 0) {
        break;
      }
      values[i] = fieldText(field);
      if (i < columnCount - 1 && reader.term !== reader.colSep) {
        stderr.write(
          `${name}:${startLine}: expected ${columnCount} columns but found ${i + 1}` +
            " - filling the rest with NULL\n",
        );
        i = columnCount + 1;
      }
    }
    if (reader.term === reader.colSep) {
      do {
        read();
        i++;
      } while (reader.term === reader.colSep);
      stderr.write(
        `${name}:${startLine}: expected ${columnCount} columns but found ${i} - extras ignored\n`,
      );
    }
    if (i >= columnCount) {
      try {
        insert.run(...values);
        counts.rows++;
        counts.lastFailed = false;
      } catch (error) {
        stderr.write(`${name}:${startLine}: INSERT failed: ${errorMessage(error)}\n`);
        counts.errors++;
        counts.lastFailed = true;
      }
    }
  } while (reader.term !== EOF);
  if (ownTransaction) ignoreFailure(() => db.exec("COMMIT"));
  if (request.verbose > 0) {
    out.write(
      `Added ${counts.rows} rows with ${counts.errors} errors using ${
        reader.line - 1
      } lines of input\n`,
    );
  }
  // sqlite3 returns the result of the last INSERT, so only a failed last row is an error.
  return counts.lastFailed ? 1 : 0;
}

/** Create `target` from the header row; false (after saying why) when that fails. */
function createTable(
  ctx: DotContext,
  reader: FieldReader,
  read: () => Uint8Array | null,
  target: string,
  verbose: number,
): boolean {
  const { db, out, stderr } = ctx.state;
  const names: string[] = [];
  for (let field = read(); field !== null; field = read()) {
    names.push(fieldText(field)!);
    if (reader.term !== reader.colSep) break;
  }
  const columns = importColumns(names);
  if (columns?.renamed) {
    const sink = ctx.state.interactive ? out : stderr;
    sink.write(
      `Columns renamed during .import ${reader.name} due to duplicates:\n${columns.renamed}\n`,
    );
  }
  if (columns === null) {
    stderr.write(`${reader.name}: empty file\n`);
    return false;
  }
  const create = `CREATE TABLE ${target}${columns.spec}\n`;
  if (verbose >= 1) out.write(`${create}\n`);
  try {
    runStatement(db, create);
  } catch (error) {
    stderr.write(`${create} failed:\n${errorMessage(error)}\n`);
    return false;
  }
  return true;
}

/** `.import FILE TABLE` */
export const importCommand: DotCommand = {
  name: "import",
  args: "FILE TABLE",
  summary: SUMMARY,
  minPrefix: 1,
  run: runImport,
};

/** The import dot-commands. */
export const importCommands: DotCommand[] = [importCommand];
