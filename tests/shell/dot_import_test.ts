/**
 * `.import` against the real sqlite3 3.40 shell: the same input files and settings give the
 * same table contents, the same warnings and errors, and the same status.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openShellDatabase } from "../../lib/shell/database.ts";
import { importCommands } from "../../lib/shell/dot/import.ts";
import type { DotCommand } from "../../lib/shell/dot/registry.ts";
import type { FormatSettings } from "../../lib/shell/format/settings.ts";
import { memorySink } from "../../lib/shell/sink.ts";
import { createShellState } from "../../lib/shell/state.ts";
import { haveSqlite3, SQLITE3 } from "../helpers/sqlite3.ts";
import { loadSqlite } from "../../lib/sqlite/library.ts";

await loadSqlite();

/** What a shell printed, how the command ended, and what the database holds afterwards. */
interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
  contents: string;
}

/** The output settings a sqlite3 `.mode`/`.separator` line sets, for our in-process shell. */
const MODES: Record<string, Partial<FormatSettings>> = {
  ".mode csv": { mode: "csv", colSeparator: ",", rowSeparator: "\r\n" },
  ".mode ascii": { mode: "ascii", colSeparator: "\x1f", rowSeparator: "\x1e" },
  ".mode tabs": { mode: "list", colSeparator: "\t", rowSeparator: "\n" },
  ".separator ;": { colSeparator: ";" },
  ".separator ||": { colSeparator: "||" },
  ".separator , \\r\\n": { colSeparator: ",", rowSeparator: "\r\n" },
};

/** Run sqlite3 3.40 with `args`. */
async function sqlite3(args: string[], cwd?: string): Promise<Omit<Outcome, "contents">> {
  const result = await new Deno.Command(SQLITE3, {
    args: ["-init", "/dev/null", ...args],
    env: { HOME: "/nonexistent" },
    stdin: "null",
    cwd,
  }).output();
  const text = new TextDecoder();
  return {
    // sqlite3 exits with the failed INSERT's result code (19 for a constraint); 1 is enough.
    status: result.code === 0 ? 0 : 1,
    stdout: text.decode(result.stdout),
    stderr: text.decode(result.stderr),
  };
}

/** Everything in `db`, as sqlite3 3.40 dumps it. */
async function contents(db: string): Promise<string> {
  return (await sqlite3([db, ".dump"])).stdout;
}

/** `.import` arguments as one sqlite3 dot-command line. */
function importLine(args: string[]): string {
  return [".import", ...args.map((a) => /[\s'"\\]/.test(a) ? `'${a}'` : a)].join(" ");
}

/** One scenario: settings and SQL lines (`pre`), then `.import args…`. */
interface Scenario {
  pre?: string[];
  args: string[];
}

/** Run the scenario in sqlite3 3.40 on a fresh `db`. */
async function reference(dir: string, db: string, { pre = [], args }: Scenario): Promise<Outcome> {
  const run = await sqlite3([db, ...pre, importLine(args)], dir);
  return { ...run, contents: await contents(db) };
}

/** Run the scenario in-process on a fresh `db`. */
async function ours(dir: string, db: string, { pre = [], args }: Scenario): Promise<Outcome> {
  const stdout = memorySink();
  const stderr = memorySink();
  const conn = openShellDatabase(db);
  const state = createShellState(conn, db, { stdout, stderr });
  const cwd = Deno.cwd();
  let status;
  try {
    for (const line of pre) {
      if (line.startsWith(".")) Object.assign(state.format, MODES[line]);
      else conn.exec(line);
    }
    Deno.chdir(dir);
    const host = {} as Parameters<DotCommand["run"]>[0]["host"];
    status = await importCommands[0].run({ state, host }, args);
  } finally {
    Deno.chdir(cwd);
    conn.close();
  }
  return { status, stdout: stdout.text(), stderr: stderr.text(), contents: await contents(db) };
}

/** Input files the scenarios read, relative to the test directory. */
const FILES: Record<string, string | Uint8Array> = {
  "people.csv": 'name,age,note\nalice,30,"says ""hi"""\nbob,25,"multi\nline"\r\n' +
    'carol,,\n"dan",40\neve,1,2,3\n"",,""\n',
  "crlf.csv": 'x,y\r\n1,2\r\n"3","4"\r\n"a\r\nb",c\r\n',
  "dups.csv": "a,A,b,,a,?\n1,2,3,4,5,6\n",
  "bom.csv": "\ufeffh1,h2\nv1,v2\n",
  "pipes.txt": "p|q\n1|2\n3|4|5\n6\n",
  "semi.txt": "p;q\n1;2\n",
  "tabs.tsv": "a\tb\n1\t2\n\t\n",
  "ascii.txt": "c1\x1fc2\x1e1\x1f2\x1e\x1e3\x1f4\x1e5\x1e",
  "bad.csv": '"abc"x,def\n"ok",1\n"unterminated,\n',
  "empty.csv": "",
  "keys.csv": "k,v\n1,a\n1,b\n2,c\n1,d\n3,e\n",
  "lastdup.csv": "k,v\n1,a\n1,b\n",
  "noeol.csv": "a,b\n1,2",
  "blanklines.csv": "a,b\n\n1,2\n\n",
  "nul.csv": new Uint8Array([0x61, 0x0a, 0x78, 0x00, 0x79, 0x0a]),
};

/** Run `scenario` in both shells (fresh databases in a fresh directory) and compare. */
async function same(scenario: Scenario): Promise<Outcome> {
  const dir = Deno.makeTempDirSync({ prefix: "sqlink-dot-import-" });
  try {
    for (const [name, data] of Object.entries(FILES)) {
      if (typeof data === "string") Deno.writeTextFileSync(join(dir, name), data);
      else Deno.writeFileSync(join(dir, name), data);
    }
    const want = await reference(dir, join(dir, "theirs.db"), scenario);
    const got = await ours(dir, join(dir, "ours.db"), scenario);
    assert.deepEqual(got, want, [...(scenario.pre ?? []), importLine(scenario.args)].join("; "));
    return got;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test({
  name: ".import creates a table from the CSV header and warns about ragged rows",
  ignore: !haveSqlite3,
  async fn() {
    const got = await same({ args: ["--csv", "people.csv", "people"] });
    assert.match(got.stderr, /people\.csv:6: expected 3 columns but found 2 - filling/);
    assert.match(got.stderr, /people\.csv:7: expected 3 columns but found 4 - extras ignored/);
    await same({ pre: [".mode csv"], args: ["people.csv", "people"] });
    await same({ args: ["--csv", "crlf.csv", "t"] });
    await same({ args: ["--csv", "bom.csv", "t"] });
    await same({ args: ["--csv", "noeol.csv", "t"] });
    await same({ args: ["--csv", "blanklines.csv", "t"] });
    await same({ args: ["--csv", "nul.csv", "t"] });
    await same({ args: ["--csv", "--schema", "main", "people.csv", "t"] });
    await same({ args: ["--csv", "people.csv", 'odd "name"'] });
  },
});

Deno.test({
  name: ".import renames duplicate header columns like sqlite3",
  ignore: !haveSqlite3,
  async fn() {
    const got = await same({ args: ["--csv", "dups.csv", "t"] });
    assert.match(got.stderr, /^Columns renamed during \.import dups\.csv due to duplicates:\n/);
  },
});

Deno.test({
  name: ".import into an existing table keeps the header row as data",
  ignore: !haveSqlite3,
  async fn() {
    await same({ pre: ["CREATE TABLE t(a, b, c)"], args: ["--csv", "people.csv", "t"] });
    await same({
      pre: ["CREATE TABLE t(a, b, c)"],
      args: ["--csv", "--skip", "1", "people.csv", "t"],
    });
    await same({ pre: ["CREATE TABLE t(a)"], args: ["--csv", "people.csv", "t"] });
    await same({ pre: ["CREATE TABLE t(a, b, c, d, e)"], args: ["--csv", "people.csv", "t"] });
    await same({ args: ["--csv", "--skip", "2", "people.csv", "t"] });
    await same({ args: ["--csv", "--skip", "99", "people.csv", "t"] });
  },
});

Deno.test({
  name: ".import reports failed INSERTs by line and keeps the good rows",
  ignore: !haveSqlite3,
  async fn() {
    const pre = ["CREATE TABLE t(k PRIMARY KEY, v)"];
    const got = await same({ pre, args: ["--csv", "keys.csv", "t"] });
    assert.match(got.stderr, /keys\.csv:3: INSERT failed: UNIQUE constraint failed: t\.k\n/);
    assert.equal(got.status, 0);
    // sqlite3 returns the last row's result: a failing last row makes the command fail.
    const last = await same({ pre, args: ["--csv", "lastdup.csv", "t"] });
    assert.equal(last.status, 1);
    await same({ pre, args: ["--csv", "-v", "keys.csv", "t"] });
  },
});

Deno.test({
  name: ".import takes its separators from the output mode unless told otherwise",
  ignore: !haveSqlite3,
  async fn() {
    await same({ args: ["pipes.txt", "t"] }); // list mode: "|" and "\n"
    await same({ pre: [".separator ;"], args: ["semi.txt", "t"] });
    await same({ pre: [".mode tabs"], args: ["tabs.tsv", "t"] });
    await same({ args: ["--ascii", "ascii.txt", "t"] });
    await same({ pre: [".mode ascii"], args: ["ascii.txt", "t"] });
    await same({ pre: [".mode csv"], args: ["--ascii", "ascii.txt", "t"] });
    await same({ pre: [".mode ascii"], args: ["--csv", "people.csv", "t"] });
    await same({ pre: [".separator , \\r\\n"], args: ["people.csv", "t"] });
  },
});

Deno.test({
  name: ".import in csv mode reads CRLF rows and switches output rows to \\n, as sqlite3 does",
  ignore: !haveSqlite3,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "sqlink-dot-import-" });
    try {
      Deno.writeTextFileSync(join(dir, "crlf.csv"), FILES["crlf.csv"] as string);
      const db = join(dir, "ours.db");
      const conn = openShellDatabase(db);
      const state = createShellState(conn, db, { stdout: memorySink(), stderr: memorySink() });
      Object.assign(state.format, MODES[".mode csv"]);
      const host = {} as Parameters<DotCommand["run"]>[0]["host"];
      assert.equal(await importCommands[0].run({ state, host }, [join(dir, "crlf.csv"), "t"]), 0);
      conn.close();
      assert.equal(state.format.rowSeparator, "\n");
      const theirs = await sqlite3([
        join(dir, "theirs.db"),
        ".mode csv",
        `.import ${join(dir, "crlf.csv")} t`,
        "SELECT 1, 2",
      ]);
      assert.equal(theirs.stdout, "1,2\n");
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: ".import warns about stray and unterminated quotes like sqlite3",
  ignore: !haveSqlite3,
  async fn() {
    const got = await same({ args: ["--csv", "bad.csv", "t"] });
    assert.match(got.stderr, /bad\.csv:1: unescaped " character\n/);
    assert.match(got.stderr, /bad\.csv:3: unterminated "-quoted field\n/);
  },
});

Deno.test({
  name: ".import -v prints the separators, the CREATE and the counts",
  ignore: !haveSqlite3,
  async fn() {
    const verbose = await same({ args: ["-v", "people.csv", "t"] });
    assert.match(verbose.stdout, /^Column separator "\|", row separator "\\n"\n/);
    await same({ args: ["-v", "-v", "--csv", "people.csv", "t"] });
    await same({ args: ["-v", "--ascii", "ascii.txt", "t"] });
    await same({ pre: [".mode tabs"], args: ["-v", "tabs.tsv", "t"] });
  },
});

Deno.test({
  name: ".import reads the output of |command",
  ignore: !haveSqlite3,
  async fn() {
    const got = await same({ args: ["--csv", "|cat people.csv", "t"] });
    assert.match(got.stderr, /^<pipe>:6: /);
    await same({ args: ["--csv", "|head -n 3 people.csv", "t"] });
    await same({ args: ["--csv", "|true", "t"] });
  },
});

Deno.test({
  name: ".import refuses bad arguments and unreadable input with one message, changing nothing",
  ignore: !haveSqlite3,
  async fn() {
    const pre = ["CREATE TABLE keep(x)", "INSERT INTO keep VALUES(1)"];
    const cases: [string[], string[], RegExp, "stdout" | "stderr"][] = [
      [[], ["--csv", "nosuch.csv", "t"], /^Error: cannot open "nosuch\.csv"\n$/, "stderr"],
      [
        [],
        ["--csv", "people.csv"],
        /^ERROR: missing TABLE argument\. Usage:\n\.import FILE/,
        "stdout",
      ],
      [[], [], /^ERROR: missing FILE argument\. Usage:\n/, "stdout"],
      [
        [],
        ["--bogus", "people.csv", "t"],
        /^ERROR: unknown option: "-bogus"\. {2}Usage:\n/,
        "stdout",
      ],
      [[], ["people.csv", "t", "extra"], /^ERROR: extra argument: "extra"\. {2}Usage:\n/, "stdout"],
      [[], ["--csv", "people.csv", "t", "--skip"], /^ERROR: unknown option: "-skip"/, "stdout"],
      [[], ["--csv", "empty.csv", "t"], /^empty\.csv: empty file\n$/, "stderr"],
      [[".separator ||"], ["people.csv", "t"], /^Error: multi-character column/, "stderr"],
      [
        [],
        ["--csv", "--schema", "nosuch", "people.csv", "t"],
        /^CREATE TABLE "nosuch"\."t"/,
        "stderr",
      ],
      [[], ["--csv", "people.csv", "sqlite_x"], /^CREATE TABLE "sqlite_x"/, "stderr"],
    ];
    for (const [settings, args, message, stream] of cases) {
      const got = await same({ pre: [...pre, ...settings], args });
      assert.equal(got.status, 1, importLine(args));
      assert.match(got[stream], message, importLine(args));
      assert.equal(got[stream === "stdout" ? "stderr" : "stdout"], "", importLine(args));
      assert.match(got.contents, /INSERT INTO keep VALUES\(1\);\nCOMMIT;\n$/);
    }
  },
});
