/**
 * The shell against the official sqlite3 shell, side by side: every case runs through both
 * (Debian's sqlite3 3.40 and sqlink, which runs on the same libsqlite3) with the same arguments and input,
 * and stdout, stderr and the exit status must be identical. Cases cover every output mode,
 * the command-line options, statement splitting, error reports and the common
 * dot-commands. Where sqlink differs on purpose, the case stays with the gap written down
 * beside it (`gap`), and only what the gap leaves equal is compared.
 */
import assert from "node:assert/strict";
import { sideBySide } from "../helpers/sqlite3.ts";
import { join } from "node:path";
import { tempDir } from "../helpers/cli.ts";

interface Case {
  name: string;
  args?: string[];
  input?: string;
  /** Files to create in each program's working directory first. */
  files?: Record<string, string>;
  /** Files each program should leave behind, compared byte for byte. */
  outputs?: string[];
  /** Why the two must differ, and which streams still must match. */
  gap?: { why: string; compare: ("stdout" | "stderr" | "code")[] };
}

const DATA = `CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB, note);
INSERT INTO t VALUES(1, 'alpha', 1.5, x'00ff10', NULL);
INSERT INTO t VALUES(2, 'beta, "quoted"', -0.25, NULL, 'line1
line2');
INSERT INTO t VALUES(3, 'γάμμα 漢字 ✓', 1e20, x'', 9223372036854775807);
INSERT INTO t VALUES(4, '', 0.1, x'414243', -9223372036854775808);
INSERT INTO t VALUES(5, 'tab	here', 123456789.123456789, NULL, 3.0);
`;

const QUERIES = `SELECT * FROM t ORDER BY id;
SELECT id, name FROM t WHERE id > 100;
SELECT 1 AS "a b", 'x' AS "", NULL AS "NULL", 1e-7, 1.0, 100.0/3, -1e308*10, 2e308;
SELECT 'it''s', '<&>"', char(1,2,27), 'ünïcödé';
`;

const MODES = [
  "list",
  "csv",
  "json",
  "line",
  "box",
  "table",
  "markdown",
  "quote",
  "tabs",
  "html",
  "column",
  "insert",
  "insert t2",
  "ascii",
  "tcl",
  "qbox",
  "box --wrap 10",
  "table --wordwrap on --wrap 8",
  "column --quote",
];

const cases: Case[] = [
  ...MODES.flatMap((mode): Case[] => [
    { name: `.mode ${mode}`, input: `${DATA}.mode ${mode}\n${QUERIES}` },
    { name: `.mode ${mode} with headers`, input: `${DATA}.mode ${mode}\n.headers on\n${QUERIES}` },
    {
      name: `.mode ${mode}, .nullvalue and separators`,
      input: `${DATA}.mode ${mode}\n.nullvalue (null)\n.separator "; " "\\n--\\n"\n${QUERIES}`,
    },
  ]),
  ...["-csv", "-json", "-line", "-box", "-table", "-markdown", "-quote", "-tabs", "-html"]
    .flatMap((flag): Case[] => [
      { name: `${flag}`, args: [flag], input: DATA + QUERIES },
      { name: `${flag} -header`, args: [flag, "-header"], input: DATA + QUERIES },
      {
        name: `--${flag.slice(1)} --noheader`,
        args: [`-${flag}`, "--noheader"],
        input: DATA + QUERIES,
      },
    ]),
  { name: "-column", args: ["-column"], input: DATA + QUERIES },
  {
    name: "-list -separator -newline -nullvalue",
    args: ["-separator", "::", "-newline", "\r\n", "-nullvalue", "N/A"],
    input: DATA + QUERIES,
  },
  {
    name: "-csv quoting from SQLite's bytes: separators, quotes, empty, NUL-cut, headers",
    args: ["-csv", "-header", "-separator", "ab", "-nullvalue", "N"],
    input:
      `select 'xaby' as "a""b", 'a"b' as "c d", '' as e, null, 'xab', char(97, 0, 98), x'00ff41', 1e300;
.separator ""
select 'plain', 2;
.separator ,
select 'a,b', 'tab	here', 'ünï', -0.0, 'x';
`,
  },
  {
    name: ".limit: the list, a prefix, a change, ambiguous and unknown names, usage, under .output",
    input: `.limit
.limits attached
.limit LIKE 7
.limit like_pattern_length
.limit L 5
.limit nosuch
.limit a b c
.limi
.limit vdbe_op 12x
.output /dev/null
.limit column 99
`,
  },
  { name: "-ascii", args: ["-ascii"], input: DATA + QUERIES },
  {
    name: "long -nullvalue is cut at 19 bytes",
    args: ["-nullvalue", "0123456789abcdefghijKLMN"],
    input: "select null;",
  },
  {
    name: ".width",
    input: `${DATA}.mode column\n.headers on\n.width 3 -12 0 5\n${QUERIES}.width\nselect 1 as a;`,
  },
  {
    name: "empty results print nothing",
    input:
      `${DATA}.headers on\nSELECT * FROM t WHERE 0;\n.mode json\nSELECT * FROM t WHERE 0;\n.mode box\nSELECT * FROM t WHERE 0;\n`,
  },

  // Statement splitting and completeness.
  {
    name: "semicolons in strings, identifiers and comments",
    input:
      `select 'a;b', "c;d", [e;f], \`g;h\` -- x;y\n;\nselect 2 /* ; */;\nselect 3; select 4;select 5\n;\n`,
  },
  {
    name: "CREATE TRIGGER … BEGIN … END spans lines and semicolons",
    input: `create table a(x); create table log(y);
create trigger tr after insert on a begin
  insert into log values(new.x);
  insert into log values(new.x * 10);
end;
create temp trigger tr2 after delete on a begin select 1; end;
insert into a values(7);
select * from log;
`,
  },
  { name: "go and / end a statement", input: "select 1\ngo\nselect 2\n/\nselect 3\n  GO  \n" },
  { name: "unterminated final statement still runs", input: "select 1;\nselect 2" },
  {
    name: "blank lines, comments and lone semicolons",
    input: "\n\n-- only a comment\n;\n/* block */\n;;\nselect 1;\n",
  },
  { name: "multi-line string", input: "select 'a\nb\n;\nc';\n" },
  { name: "# lines are comments", input: "# hello\nselect 1;\n" },
  { name: "CRLF input", input: "select 1;\r\nselect 'x'\r\n;\r\n" },

  // Errors and exit status.
  {
    name: "parse and runtime errors continue without -bail",
    input: `select 1;
select * from nope;
selec 2;
create table c(a check(a > 0));
insert into c values(-1);
select 1 from (select 2) as a a a;
select nocol;
select 'unterminated
`,
  },
  {
    name: "-bail stops at the first error",
    args: ["-bail"],
    input: "select 1;\nselect * from nope;\nselect 2;\n",
  },
  { name: ".bail on stops", input: ".bail on\nselect 1;\nselec 2;\nselect 3;\n" },
  { name: "errors in SQL arguments", args: [":memory:", "select 1; select * from nope; select 2"] },
  {
    name: "SQL arguments run in order",
    args: [":memory:", "select 1", ".mode csv", "select 2, 3"],
  },
  {
    name: "an argument error stops the rest",
    args: [":memory:", "select 1", "selec 2", "select 3"],
  },
  {
    name: "a runtime error in an argument",
    args: [":memory:", "select abs(-9223372036854775807 - 1)"],
  },
  {
    name: "error context points at the token",
    input:
      "select 1,\n  2 frm x;\nselect  'ééééééééééééééééééééééé', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' frm x;\n",
  },
  { name: "incomplete input", input: "select (" },
  {
    name: "math functions, REGEXP (Deno's SQLite lacks them; the shell adds them as sqlite3 has)",
    input: "select sqrt(4), floor(2), floor(2.5), ceil(-1.5), trunc('7'), log(100), log(2, 8), " +
      "log(1, 8), ln(0), log10(1000), log2(8), mod(7, 3), mod(7.5, 2), power(2, 0.5), " +
      "atan2(1, 1), pi(), sqrt(-1), sqrt('9'), sqrt('x'), degrees(pi()), radians(180), exp(1), " +
      "typeof(floor(2.0)), typeof(ceil(3));\n" +
      "select 'abc' regexp 'b', 'abc' regexp '^b', null regexp 'a', 'x1y22' regexp '[0-9]{2}';\n",
  },
  {
    name: "math functions inside a view and a generated column",
    input: "create view v as select sqrt(16) as r;\nselect * from v;\n" +
      "create table g(x, y as (floor(x)));\ninsert into g(x) values (2.5);\nselect * from g;\n",
  },
  { name: "an unterminated block comment is nothing to run", input: "select 1; /* not closed" },
  { name: "a NUL byte ends the line", input: "select 1;\n\0select 2;\nselect 3;\n" },
  {
    name: "a second .once replaces the first",
    input: ".once o1.txt\n.once o2.txt\nselect 2;\nselect 3;\n",
    outputs: ["o1.txt", "o2.txt"],
  },
  { name: ".exit in -cmd ends the shell", args: ["-cmd", ".exit 2", ":memory:", "select 3"] },
  {
    name: "tuning options are accepted",
    args: ["-lookaside", "0", "0", "-mmap", "0", "-nofollow", ":memory:", "select 1"],
  },
  {
    name: "an argument's error exits with SQLite's result code",
    args: [":memory:", "create table c(a check(a > 0)); insert into c values(-1)"],
  },
  {
    name: "-cmd error with -bail exits with SQLite's result code",
    args: ["-bail", "-cmd", "create table c(a check(a > 0))", "-cmd", "insert into c values(-1)"],
  },
  { name: "unknown option", args: ["-nosuchoption"] },
  { name: "unknown option with two dashes", args: ["--nosuchoption"] },
  { name: "missing option value", args: ["-separator"] },
  { name: "-cmd runs before the SQL", args: ["-cmd", "select 'cmd'", ":memory:", "select 'arg'"] },
  { name: "-cmd error without -bail goes on", args: ["-cmd", "selec", ":memory:", "select 2"] },
  { name: "-cmd error with -bail stops", args: ["-bail", "-cmd", "selec", ":memory:", "select 2"] },
  { name: "-echo", args: ["-echo"], input: "select 1;\n.print hi\nselect\n 2;\n" },

  // Dot-commands.
  { name: "unknown dot-command", input: ".nosuch\nselect 1;\n" },
  {
    name: "usage errors",
    input:
      ".headers\n.bail\n.echo 1 2\n.nullvalue\n.separator\n.read\n.changes\n.timer\n.cd\nselect 1;\n",
  },
  { name: "not a boolean", input: ".headers maybe\nselect 1 as a;\n" },
  { name: ".show", input: ".mode csv\n.headers on\n.nullvalue N\n.width 1 2\n.show\n" },
  {
    name: ".show escapes non-ASCII separators as C octal; numbers read as sqlite3 reads them",
    input: '.nullvalue é\n.separator "\\t" ☃\n.width 3 -2 0x10 2k\n.show\n.exit 0x103\n',
  },
  { name: ".show in box mode", input: ".mode box --wrap 30 --quote\n.show\n" },
  {
    name: ".print with quotes and escapes",
    input: `.print one "two three" 'four\\tfive' six\\tseven\n`,
  },
  { name: ".echo on", input: ".echo on\nselect 1;\n.print x\n-- c\nselect 2 +\n 3;\n" },
  {
    name: ".changes on",
    input:
      ".changes on\ncreate table t(a);\ninsert into t values(1),(2),(3);\nupdate t set a = 0 where a > 1;\nselect count(*) from t;\n",
  },
  {
    name: ".mode without and with bad arguments",
    input: ".mode\n.mode bogus\n.mode csv extra\n.mode list\n.mode\n.mode box\n.mode\n",
  },
  {
    name: "abbreviated dot-commands",
    input: ".he on\n.mo csv\nselect 1 as a;\n.sep |\n.nu NULL\nselect null;\n",
  },
  {
    name: ".explain and EXPLAIN QUERY PLAN",
    input:
      `${DATA}create index ti on t(name);\nexplain query plan select * from t where name = 'x';\nexplain query plan select * from t a, t b where a.id = b.score order by a.name;\n`,
  },
  {
    name: ".eqp on",
    input: `${DATA}.eqp on\nselect * from t where id = 2;\n.eqp off\nselect 1;\n`,
  },
  { name: ".exit with a status", input: "select 1;\n.exit 3\nselect 2;\n" },
  { name: ".quit stops reading", input: "select 1;\n.quit\nselect 2;\n" },
  {
    name: "-version",
    args: ["-version"],
  },
  {
    name: "dot-command output in list",
    input: ".mode list\n.headers on\nselect 1 as a;\n.headers off\nselect 2 as b;\n",
  },
  {
    name: ".tables, .schema, .indexes, .databases",
    input:
      `${DATA}create index i1 on t(name);\ncreate view v as select id from t;\n.tables\n.schema\n.indexes\n.schema t\n.tables t%\n`,
  },
  { name: ".dump", input: `${DATA}create index i1 on t(name);\n.dump\n` },

  // Files: databases, scripts, redirection.
  {
    name: "a database file given by name",
    args: ["test.db"],
    input: `${DATA}select count(*) from t;\n`,
    outputs: ["test.db-journal"],
  },
  {
    name: "a file never used is not created",
    args: ["unused.db"],
    input: ".print hi\n",
    outputs: ["unused.db"],
  },
  {
    name: "a file used only by .quit is not created",
    args: ["unused.db", ".quit"],
    outputs: ["unused.db"],
  },
  {
    name: "-readonly refuses writes",
    files: { "make.sql": "create table x(a); insert into x values(1);" },
    args: ["-readonly", "ro.db"],
    input: ".read make.sql\nselect * from x;\n",
  },
  {
    name: ".read runs a script, stops at .quit inside it, reports its line numbers",
    files: { "script.sql": "select 'in script';\nselec 1;\n.quit\nselect 'not reached';\n" },
    input: ".read script.sql\nselect 'after';\n.read missing.sql\n",
  },
  ...readNestingCases(),
  {
    name: "-init runs first",
    files: { "rc": ".mode csv\nselect 'from rc';\n" },
    args: ["-init", "rc"],
    input: "select 1, 2;\n",
  },
  { name: "-init with a missing file", args: ["-init", "missing-rc"], input: "select 1;\n" },
  {
    name: ".output and .once write files",
    input:
      ".output out.txt\nselect 1;\n.print printed\nselect 2;\n.output\nselect 3;\n.once once.txt\nselect 4;\nselect 5;\n",
    outputs: ["out.txt", "once.txt"],
  },
  {
    name: ".output to a directory that does not exist",
    input: ".output no/such/dir.txt\nselect 1;\n",
  },
  { name: ".once to a command", input: ".once |tr a-z A-Z\nselect 'shout';\nselect 'quiet';\n" },
  { name: ".read from a command", input: ".read |echo 'select 40 + 2;'\n" },
  {
    name: "not a database",
    files: { "text.db": "this is not a database, it is a text file of some length\n".repeat(20) },
    args: ["text.db", ".tables"],
  },
  {
    name: "a directory as the database",
    files: { "x": "" },
    args: [".", "select 1"],
  },
  {
    name: ".open switches databases",
    input:
      `.open a.db\ncreate table t(x);\ninsert into t values(1);\n.open b.db\n.tables\n.open a.db\nselect * from t;\n.open --new a.db\n.tables\n`,
  },
  ...["list", "json", "box", "csv", "line"].map((mode): Case => ({
    name: `.mode ${mode}: rows before a runtime error print, then the error`,
    input:
      `.mode ${mode}\nselect abs(column1) as a from (values (1), (2), (-9223372036854775808), (4));\n` +
      "select abs(-9223372036854775808);\nselect 'after';\n",
  })),
  {
    name: "INSERT … RETURNING with a failing row",
    input:
      "create table c(a check(a > 0));\ninsert into c values(1),(-1) returning a;\nselect count(*) from c;\n",
  },

  // --- Differences found by side-by-side exploration (appended block) ---
  ...["-box", "-table", "-column", "-markdown"].map((flag): Case => ({
    name: `${flag} does not wrap until .mode sets --wrap 60`,
    args: [flag],
    input: `select '${"x".repeat(70)}' as ${"a".repeat(65)};\n.show\n.mode\nselect '${
      "y".repeat(70)
    }';\n`,
  })),
  {
    name: "a columnar result extends .width with zeros that .show lists",
    input:
      ".mode box\nselect 1, 2 where 0;\n.show\nselect 1, 2, 3;\n.show\n.width 5\nselect 1, 2;\n.show\n.width\n.show\n",
  },
  {
    name: ".help, .help -all and .help PATTERN as sqlite3 3.40",
    input: [
      "",
      "-all",
      "0",
      "output",
      "o",
      "sch",
      "nosuch",
      "mode",
      "import",
      "e",
      "width",
      "*",
      "[st]*",
      "CSV",
      "off",
      "-all mode",
    ].map((p) => `.help ${p}\n`).join(""),
    gap: {
      why: "sqlink lists only the commands it has (each in sqlite3's words); see shell_cli_test",
      compare: ["stderr", "code"],
    },
  },
  {
    name: ".output and .once usage errors show sqlite3's help",
    input: ".output a b\n.once a b\n.output --z\n.once -q\nselect 1;\n",
  },
  {
    name: ".open of a file that cannot be opened reports once and falls back to memory",
    input:
      ".open /nonexistent/dir/x.db\nselect 1;\n.databases\n.open --readonly /nonexistent/y.db\nselect 2;\n",
  },
  {
    name: ".shell and .system: quoting, failing commands, usage and sh's own errors",
    input:
      '.shell echo hi\n.system echo "a b" c\n.shell exit 3\nselect 2;\n.shell\n.shell nosuchcmd_xyz\n.system "echo  x"\n.read |nosuchcmd_q\nselect 1;\n',
  },
  {
    name: ".binary and .timeout",
    input:
      ".binary on\nselect x'41';\n.binary\n.binary maybe\n.bin off\n.bi on\n.timeout 100\npragma busy_timeout;\n.timeout\npragma busy_timeout;\n.timeo 5\n.time 5\n",
  },
  {
    name: "a bad JSON path",
    input: "select json_extract('{\"a\":1}', '$$');\nselect 1;\n",
  },
  {
    name: "EXPLAIN QUERY PLAN of a compound SELECT",
    input: "explain query plan select 1 union select 2;\n",
  },
  {
    name: "quote() of an infinite REAL read back from .dump",
    input: "create table t(a);\ninsert into t values(1e999);\nselect quote(a) from t;\n.dump\n",
  },
  {
    name: "json_each ids",
    input: "select * from json_each('[1,2]');\n",
  },
];

/**
 * `.read` nesting (sqlite3's MAX_INPUT_NESTING, 25): a file that reads itself, a cycle of two,
 * chains of distinct files 24, 25 and 26 deep, through standard input, SQL arguments, `-cmd`
 * and `-init`, with and without `-bail`. Stdin and the init file count as one level; SQL
 * arguments and `-cmd` do not.
 */
function readNestingCases(): Case[] {
  const self = { "self.sql": "select 1;\n.read self.sql\nselect 2;\n" };
  const cycle = {
    "a.sql": "select 10;\n\n\n.read b.sql\nselect 11;\n",
    "b.sql": "select 20;\n.read a.sql\nselect 21;\n",
  };
  /** d1.sql reads d2.sql … reads dN.sql. */
  const chain = (n: number) =>
    Object.fromEntries(
      Array.from({ length: n }, (_, i) => [
        `d${i + 1}.sql`,
        `select ${i + 1};\n${i + 1 < n ? `.read d${i + 2}.sql\nselect -${i + 1};\n` : ""}`,
      ]),
    );
  return [
    { name: ".read of itself from stdin", files: self, input: ".read self.sql\nselect 3;\n" },
    {
      name: ".read of itself from stdin, -bail",
      files: self,
      args: ["-bail"],
      input: ".read self.sql\nselect 3;\n",
    },
    {
      name: ".read of itself as a SQL argument",
      files: self,
      args: [":memory:", ".read self.sql", "select 9"],
    },
    {
      name: ".read of itself as a SQL argument, -bail",
      files: self,
      args: ["-bail", ":memory:", ".read self.sql", "select 9"],
    },
    {
      name: ".read of itself from -cmd",
      files: self,
      args: ["-cmd", ".read self.sql", ":memory:", "select 9"],
    },
    {
      name: "-init of a file that reads itself",
      files: self,
      args: ["-init", "self.sql"],
      input: "select 6;\n",
    },
    {
      name: "-init of a file that reads itself, -bail",
      files: self,
      args: ["-bail", "-init", "self.sql"],
      input: "select 6;\n",
    },
    {
      name: ".read cycle a -> b -> a as a SQL argument",
      files: cycle,
      args: [":memory:", ".read a.sql"],
    },
    { name: ".read cycle a -> b -> a from stdin", files: cycle, input: ".read a.sql\n" },
    ...[24, 25, 26].flatMap((n): Case[] => [
      {
        name: `.read chain ${n} deep as a SQL argument`,
        files: chain(n),
        args: [":memory:", ".read d1.sql"],
      },
      {
        name: `.read chain ${n} deep from stdin`,
        files: chain(n),
        input: ".read d1.sql\nselect 0;\n",
      },
    ]),
    {
      name: ".read chain 26 deep from -init",
      files: chain(26),
      args: ["-init", "d1.sql"],
      input: "select 0;\n",
    },
  ];
}

for (const c of cases) {
  Deno.test(`sqlite3 vs sqlink: ${c.name}`, async () => {
    using a = tempDir();
    using b = tempDir();
    for (const dir of [a.path, b.path]) {
      for (const [name, text] of Object.entries(c.files ?? {})) {
        Deno.writeTextFileSync(join(dir, name), text);
      }
    }
    // Each program gets its own home too, so no ~/.sqliterc or ~/.sqlinkrc is read.
    const { sqlite3, sqlink } = await sideBySide(c.args ?? [], c.input ?? "", {
      dirs: { sqlite3: a.path, sqlink: b.path },
      env: { HOME: "/nonexistent" },
    });
    const compare = c.gap?.compare ?? ["stdout", "stderr", "code"];
    for (const stream of compare) {
      assert.equal(sqlink[stream], sqlite3[stream], `${stream} differs for ${JSON.stringify(c)}`);
    }
    if (c.gap) assert.ok(c.gap.why.length > 0);
    for (const name of c.outputs ?? []) {
      assert.deepEqual(
        readIfThere(join(b.path, name)),
        readIfThere(join(a.path, name)),
        `file ${name} differs for ${c.name}`,
      );
    }
  });
}

function readIfThere(path: string): Uint8Array | null {
  try {
    return Deno.readFileSync(path);
  } catch {
    return null;
  }
}
