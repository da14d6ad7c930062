/**
 * EXPLAIN and EXPLAIN QUERY PLAN rendering against sqlite3 3.40. Plans and bytecode differ
 * between the 3.40 shell and the 3.53 library we run, so the raw rows come from sqlite3
 * itself (with `.explain off`) and only the drawing is compared: our renderer fed those rows
 * must print what sqlite3 prints with `.explain auto`.
 */
import assert from "node:assert/strict";
import { renderQueryPlan } from "../../lib/shell/format/query_plan.ts";
import { createPrinter } from "../../lib/shell/format/printer.ts";
import { explainIndents } from "../../lib/shell/format/explain.ts";
import { defaultFormatSettings } from "../../lib/shell/format/settings.ts";
import { memorySink } from "../../lib/shell/sink.ts";
import type { SqlValue } from "../../lib/shell/value.ts";
import { haveSqlite3, runSqlite3 } from "../helpers/sqlite3.ts";

const SCHEMA = "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c REAL); CREATE INDEX tb ON t(b);" +
  "CREATE TABLE u(x, y); CREATE VIEW v AS SELECT b, count(*) AS n FROM t GROUP BY b;";

const PLAN_QUERIES = [
  "SELECT * FROM t",
  "SELECT * FROM t WHERE b = 'x'",
  "SELECT * FROM t, u WHERE t.a = u.x ORDER BY u.y",
  "SELECT * FROM t WHERE a = 1 UNION SELECT * FROM t WHERE b IN (SELECT y FROM u)",
  "SELECT (SELECT max(x) FROM u), * FROM v WHERE n > (SELECT count(*) FROM u WHERE y = v.b)",
  "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 5) SELECT * FROM c",
];

async function run(script: string): Promise<string> {
  const { stdout, stderr } = await runSqlite3([":memory:"], script);
  assert.equal(stderr, "");
  return stdout;
}

/** Parse one line of quote-mode output back into values (integers, 'text', NULL). */
function parseQuoted(line: string): SqlValue[] {
  const values: SqlValue[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === "'") {
      let s = "";
      i++;
      for (;;) {
        if (line[i] === "'" && line[i + 1] === "'") {
          s += "'";
          i += 2;
        } else if (line[i] === "'") {
          i++;
          break;
        } else {
          s += line[i++];
        }
      }
      values.push(s);
    } else {
      const end = line.indexOf(",", i) < 0 ? line.length : line.indexOf(",", i);
      const word = line.slice(i, end);
      values.push(word === "NULL" ? null : BigInt(word));
      i = end;
    }
    i++; // the comma
  }
  return values;
}

Deno.test({
  name: "EXPLAIN QUERY PLAN trees match sqlite3 3.40",
  ignore: !haveSqlite3,
  fn: async () => {
    for (const q of PLAN_QUERIES) {
      const raw = await run(`${SCHEMA}\n.explain off\n.mode quote\nEXPLAIN QUERY PLAN ${q};\n`);
      const rows = raw.trimEnd().split("\n").map((line) => {
        const [id, parent, , detail] = parseQuoted(line);
        return { id: Number(id), parent: Number(parent), detail: String(detail) };
      });
      const want = await run(`${SCHEMA}\nEXPLAIN QUERY PLAN ${q};\n`);
      assert.equal(renderQueryPlan(rows), want, q);
    }
  },
});

Deno.test({
  name: "EXPLAIN bytecode listings (with loop indentation) match sqlite3 3.40",
  ignore: !haveSqlite3,
  fn: async () => {
    for (const q of PLAN_QUERIES) {
      for (const nullValue of ["", "NULL-VALUE"]) {
        const setup = `${SCHEMA}\n.nullvalue ${nullValue || '""'}\n`;
        const raw = await run(`${setup}.explain off\n.mode quote\n.headers on\nEXPLAIN ${q};\n`);
        const [header, ...lines] = raw.trimEnd().split("\n");
        const columns = parseQuoted(header).map(String);
        const want = await run(`${setup}EXPLAIN ${q};\n`);
        const sink = memorySink();
        const printer = createPrinter(
          { ...defaultFormatSettings(), mode: "explain", nullValue },
          sink,
        );
        printer.begin(columns);
        for (const line of lines) printer.row(parseQuoted(line));
        printer.end();
        assert.equal(sink.text(), want, q);
      }
    }
  },
});

Deno.test("renderQueryPlan: nesting, last-child branches, empty input", () => {
  assert.equal(renderQueryPlan([]), "");
  assert.equal(
    renderQueryPlan([
      { id: 2, parent: 0, detail: "COMPOUND QUERY" },
      { id: 3, parent: 2, detail: "LEFT-MOST SUBQUERY" },
      { id: 5, parent: 3, detail: "SCAN a" },
      { id: 9, parent: 2, detail: "UNION ALL" },
      { id: 11, parent: 9, detail: "SCAN b" },
      { id: 20, parent: 0, detail: "USE TEMP B-TREE FOR ORDER BY" },
    ]),
    "QUERY PLAN\n|--COMPOUND QUERY\n|  |--LEFT-MOST SUBQUERY\n|  |  `--SCAN a\n" +
      "|  `--UNION ALL\n|     `--SCAN b\n`--USE TEMP B-TREE FOR ORDER BY\n",
  );
  // A leading "-" row is a title of its own; alone it prints nothing.
  assert.equal(renderQueryPlan([{ id: 1, parent: 0, detail: "-- title" }]), "");
  assert.equal(
    renderQueryPlan([{ id: 1, parent: 0, detail: "-- title" }, {
      id: 2,
      parent: 0,
      detail: "SCAN t",
    }]),
    "title\n`--SCAN t\n",
  );
});

Deno.test("renderQueryPlan stops descending where sqlite3's 100-byte prefix runs out", () => {
  // A row that is its own parent would recurse forever; sqlite3 stops at depth 31.
  const text = renderQueryPlan([{ id: 0, parent: 0, detail: "X" }]);
  const lines = text.trimEnd().split("\n");
  assert.equal(lines.length, 1 + 32);
  assert.equal(lines.at(-1), "   ".repeat(31) + "`--X");
});

Deno.test("explainIndents indents loop bodies and coroutine bodies by two", () => {
  const op = (addr: number, opcode: string, p1: number, p2: number): SqlValue[] => [
    BigInt(addr),
    opcode,
    BigInt(p1),
    BigInt(p2),
    0n,
    "",
    0n,
    null,
  ];
  const rows = [
    op(0, "Init", 0, 6),
    op(1, "OpenRead", 0, 2),
    op(2, "Rewind", 0, 5),
    op(3, "Column", 0, 0),
    op(4, "Next", 0, 3),
    op(5, "Halt", 0, 0),
    op(6, "Goto", 0, 1),
  ];
  assert.deepEqual(explainIndents(rows), [0, 0, 0, 2, 0, 0, 0]);
});
