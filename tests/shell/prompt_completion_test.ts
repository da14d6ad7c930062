/** What Tab offers: dot-commands, keywords in the case typed, tables and columns. */
import assert from "node:assert/strict";
import { completeInput, type CompletionSource } from "../../lib/shell/prompt/completion.ts";
import { isSqlKeyword, SQL_KEYWORDS } from "../../lib/shell/prompt/sql_keywords.ts";

const source: CompletionSource = {
  dotCommands: ["tables", "schema", "separator", "quit", ".timer"],
  tables: () => ["things", "Thongs", "my table", "order", "café"],
  columns: () => ["alpha", "beta", "Alpine", 'say "hi"'],
};

function complete(line: string) {
  return completeInput(line, source);
}

Deno.test("completion: dot-command names at the start of the line", () => {
  assert.deepEqual(complete(".ta"), { start: 0, candidates: [".tables"] });
  assert.deepEqual(complete(".s"), { start: 0, candidates: [".schema", ".separator"] });
  assert.deepEqual(complete(".ti"), { start: 0, candidates: [".timer"] });
  assert.deepEqual(complete("."), {
    start: 0,
    candidates: [".quit", ".schema", ".separator", ".tables", ".timer"],
  });
  // sqlite3 matches dot-commands case-sensitively.
  assert.deepEqual(complete(".TA"), { start: 0, candidates: [] });
});

Deno.test("completion: a dot-command's argument completes to a table name", () => {
  assert.deepEqual(complete(".schema thi"), { start: 8, candidates: ["things"] });
  assert.deepEqual(complete(".schema th"), { start: 8, candidates: ["things", "Thongs"] });
  assert.deepEqual(complete(".schema my"), { start: 8, candidates: ['"my table"'] });
  assert.deepEqual(complete(".schema 'my"), { start: 8, candidates: ["'my table'"] });
});

Deno.test("completion: keywords keep the case being typed", () => {
  assert.deepEqual(complete("sel"), { start: 0, candidates: ["select"] });
  assert.deepEqual(complete("SEL"), { start: 0, candidates: ["SELECT"] });
  assert.deepEqual(complete("Sel"), { start: 0, candidates: ["Select"] });
  assert.deepEqual(complete("select * fr"), { start: 9, candidates: ["from"] });
  assert.deepEqual(complete("  wher"), { start: 2, candidates: ["where"] });
  assert.deepEqual(complete("cr"), { start: 0, candidates: ["create", "cross"] });
});

Deno.test("completion: table and column names, quoted when they must be", () => {
  assert.deepEqual(complete("select alp"), { start: 7, candidates: ["alpha", "Alpine"] });
  assert.deepEqual(complete("select * from thi"), { start: 14, candidates: ["things"] });
  // Names keep their own case; keywords that match come along in the typed case.
  assert.deepEqual(complete("select * from TH"), {
    start: 14,
    candidates: ["THEN", "things", "Thongs"],
  });
  assert.deepEqual(complete("select * from my"), { start: 14, candidates: ['"my table"'] });
  assert.deepEqual(complete("select * from caf"), { start: 14, candidates: ["café"] });
  // A table named like a keyword is quoted; the keyword itself is offered too.
  assert.deepEqual(complete("select * from ord"), { start: 14, candidates: ["order", '"order"'] });
});

Deno.test("completion: after a dot only names are offered", () => {
  assert.deepEqual(complete("select t.al"), { start: 9, candidates: ["alpha", "Alpine"] });
  assert.deepEqual(complete("select t."), {
    start: 9,
    candidates: [
      "alpha",
      "Alpine",
      "beta",
      "café",
      '"my table"',
      '"order"',
      '"say ""hi"""',
      "things",
      "Thongs",
    ],
  });
});

Deno.test("completion: inside a quoted name the quote stays and is closed", () => {
  assert.deepEqual(complete('select * from "my'), { start: 14, candidates: ['"my table"'] });
  assert.deepEqual(complete("select * from [my"), { start: 14, candidates: ["[my table]"] });
  assert.deepEqual(complete("select `al"), { start: 7, candidates: ["`alpha`", "`Alpine`"] });
  assert.deepEqual(complete('select "say'), { start: 7, candidates: ['"say ""hi"""'] });
});

Deno.test("completion: nothing inside strings, comments and numbers", () => {
  assert.deepEqual(complete("select 'sel"), { start: 11, candidates: [] });
  assert.deepEqual(complete("select 1 -- sel"), { start: 15, candidates: [] });
  assert.deepEqual(complete("select /* sel"), { start: 13, candidates: [] });
  assert.deepEqual(complete("select 12"), { start: 9, candidates: [] });
  // Closed strings and comments do not count.
  assert.deepEqual(complete("select 'a' /* x */ fr"), { start: 19, candidates: ["from"] });
});

Deno.test("completion: an empty word lists names, not every keyword", () => {
  const { start, candidates } = complete("select * from ");
  assert.equal(start, 14);
  assert.ok(candidates.includes("things"));
  assert.ok(!candidates.includes("select"));
  assert.deepEqual(complete(""), { start: 0, candidates: complete("x ").candidates });
});

Deno.test("completion: a failing schema read offers keywords only", () => {
  const broken: CompletionSource = {
    dotCommands: [],
    tables: () => {
      throw new Error("database is locked");
    },
    columns: () => [],
  };
  assert.deepEqual(completeInput("sel", broken), { start: 0, candidates: ["select"] });
});

Deno.test("completion: the keyword list is SQLite's 147 words", () => {
  assert.equal(SQL_KEYWORDS.length, 147);
  assert.equal(new Set(SQL_KEYWORDS).size, 147);
  assert.ok(isSqlKeyword("returning") && isSqlKeyword("Materialized"));
  assert.ok(!isSqlKeyword("things"));
});
