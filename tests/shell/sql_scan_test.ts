/** Statement completeness and splitting, as sqlite3_complete and SQLite's parser decide them. */
import assert from "node:assert/strict";
import {
  explainKind,
  nextStatement,
  quickScan,
  SCAN_START,
  sqlComplete,
} from "../../lib/shell/sql/scan.ts";

function split(text: string): string[] {
  const found: string[] = [];
  for (let s = nextStatement(text, 0); s; s = nextStatement(text, s.end)) {
    if (!s.blank) found.push(s.sql);
  }
  return found;
}

Deno.test("sqlComplete: a statement is complete only at a ; outside strings and comments", () => {
  const complete = [
    "select 1;",
    "select 1; ",
    "select 1; -- trailing comment",
    "select 'a;b';",
    'select "a;b";',
    "select [a;b];",
    "select `a;b`;",
    "select 1 /* ; */;",
    "select 'it''s';",
    ";",
    "create trigger t after insert on x begin select 1; end;",
    "CREATE TEMP TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; SELECT 2; END;",
    "explain create trigger t after insert on x begin select 1; end;",
    "create table trigger(x);",
  ];
  const incomplete = [
    "",
    "select 1",
    "select ';'",
    "select 'a;",
    'select "a;',
    "select [a;",
    "select /* ; ",
    "select 1 -- ;",
    "create trigger t after insert on x begin select 1;",
    "create trigger t after insert on x begin select 1; end",
  ];
  for (const sql of complete) assert.equal(sqlComplete(sql), true, sql);
  for (const sql of incomplete) assert.equal(sqlComplete(sql), false, sql);
});

Deno.test("nextStatement: splits where SQLite ends each statement", () => {
  assert.deepEqual(split("select 1; select 2;select 3"), ["select 1;", "select 2;", "select 3"]);
  assert.deepEqual(split("select 'a;b'; select 2"), ["select 'a;b';", "select 2"]);
  assert.deepEqual(
    split("create trigger t after insert on x begin insert into y values(1); end; select 9;"),
    ["create trigger t after insert on x begin insert into y values(1); end;", "select 9;"],
  );
  // Comment-only and empty statements are never handed to prepare (they crash Deno 2.9.6).
  assert.deepEqual(split("-- c\n; /* d */ ;; select 1; -- tail"), ["select 1;"]);
  const tail = nextStatement("select 1; -- tail", 9);
  assert.equal(tail?.blank, true);
  // A leading comment stays with its statement, as in sqlite3's error pictures.
  assert.deepEqual(split("/* c */ select 1;"), ["/* c */ select 1;"]);
});

Deno.test("explainKind: EXPLAIN and EXPLAIN QUERY PLAN", () => {
  assert.equal(explainKind("select 1"), 0);
  assert.equal(explainKind("explain select 1"), 1);
  assert.equal(explainKind("  EXPLAIN\nQUERY  PLAN select 1"), 2);
  assert.equal(explainKind("/* x */ explain query plan select 1"), 2);
  assert.equal(explainKind("explainx select 1"), 0);
});

Deno.test("quickScan: tracks open quotes and comments across lines, and a final ;", () => {
  let scan = quickScan("select 'a", SCAN_START);
  assert.equal(scan.waitFor, "'");
  scan = quickScan("b';", scan);
  assert.deepEqual(scan, { waitFor: "", hasDark: true, endsWithSemi: true });
  assert.equal(quickScan("/* open", SCAN_START).waitFor, "*");
  assert.equal(quickScan("   -- just a comment", SCAN_START).hasDark, false);
  assert.equal(quickScan(";", SCAN_START).hasDark, false);
  assert.equal(quickScan("select 1; x", SCAN_START).endsWithSemi, false);
  assert.equal(quickScan("[a]]", SCAN_START).waitFor, "");
});
