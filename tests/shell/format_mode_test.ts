/**
 * `.mode` semantics: unit tests of the argument helpers, and a differential test that runs
 * sequences of `.mode` (and `.headers`/`.separator`) commands through sqlite3 3.40 and
 * through `applyModeCommand` plus the printer, comparing standard output and error.
 */
import assert from "node:assert/strict";
import { booleanValue, integerValue } from "../../lib/shell/arg_values.ts";
import { applyModeCommand, modeDescription } from "../../lib/shell/format/mode.ts";
import { createPrinter } from "../../lib/shell/format/printer.ts";
import { defaultFormatSettings, type FormatSettings } from "../../lib/shell/format/settings.ts";
import { memorySink } from "../../lib/shell/sink.ts";
import type { SqlValue } from "../../lib/shell/value.ts";
import { haveSqlite3, runSqlite3 } from "../helpers/sqlite3.ts";

Deno.test("integerValue: decimal, hex, signs and size suffixes", () => {
  assert.equal(integerValue("42"), 42n);
  assert.equal(integerValue("-7"), -7n);
  assert.equal(integerValue("+0x1F"), 31n);
  assert.equal(integerValue("2KiB"), 2048n);
  assert.equal(integerValue("3k"), 3000n);
  assert.equal(integerValue("1gb"), 1000000000n);
  assert.equal(integerValue("12abc"), 12n);
  assert.equal(integerValue(""), 0n);
});

Deno.test("booleanValue: numbers, on/off words, and the warning for anything else", () => {
  assert.deepEqual(booleanValue("on"), { value: 1, warning: "" });
  assert.deepEqual(booleanValue("YES"), { value: 1, warning: "" });
  assert.deepEqual(booleanValue("off"), { value: 0, warning: "" });
  assert.deepEqual(booleanValue("2"), { value: 2, warning: "" });
  assert.deepEqual(booleanValue("0x0"), { value: 0, warning: "" });
  assert.deepEqual(booleanValue("maybe"), {
    value: 0,
    warning: 'ERROR: Not a boolean value: "maybe". Assuming "no".\n',
  });
});

Deno.test("applyModeCommand: prefixes pick modes in sqlite3's order", () => {
  const pick = (word: string) => applyModeCommand(defaultFormatSettings(), [word]).settings;
  assert.equal(pick("l").mode, "line");
  assert.equal(pick("lis").mode, "list");
  assert.equal(pick("c").mode, "column");
  assert.equal(pick("cou").mode, "count");
  assert.equal(pick("t").mode, "tcl");
  assert.equal(pick("tab").colSeparator, "\t");
  assert.equal(pick("tabl").mode, "table");
  assert.equal(pick("").mode, "line");
  assert.equal(pick("qbox").quote, true);
  const bad = applyModeCommand(defaultFormatSettings(), ["qb"]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^Error: mode should be one of: ascii box column/);
});

Deno.test("applyModeCommand: column turns headers on unless they were set explicitly", () => {
  const fresh = applyModeCommand(defaultFormatSettings(), ["column"]).settings;
  assert.equal(fresh.headers, true);
  const chosen = { ...defaultFormatSettings(), headers: false, headerSet: true };
  assert.equal(applyModeCommand(chosen, ["column"]).settings.headers, false);
});

Deno.test("applyModeCommand: insert quotes the table name like set_table_name", () => {
  const table = (args: string[]) =>
    applyModeCommand(defaultFormatSettings(), ["insert", ...args]).settings.insertTable;
  assert.equal(table([]), '"table"');
  assert.equal(table(["t1"]), "t1");
  assert.equal(table(['my "t"']), '"my ""t"""');
  assert.equal(table([""]), '""');
});

Deno.test("applyModeCommand: a bare .mode reports, then re-applies the current mode", () => {
  const boxed = applyModeCommand(defaultFormatSettings(), ["box", "--wrap", "5", "--ww"]).settings;
  assert.equal(modeDescription(boxed), "box --wrap 5 --wordwrap on --noquote");
  const again = applyModeCommand(boxed, []);
  assert.equal(again.stdout, "current output mode: box --wrap 5 --wordwrap on --noquote\n");
  assert.equal(again.settings.wrap, 60);
  assert.equal(again.settings.wordWrap, false);
  const explain = applyModeCommand({ ...defaultFormatSettings(), mode: "explain" }, []);
  assert.equal(explain.stdout, "current output mode: explain\n");
  assert.equal(explain.status, 1);
});

/** A dot-command for the differential test, as sqlite3 input and as our change. */
type Command = { mode: string[] } | { headers: boolean } | { separator: string[] };

const SEQUENCES: Command[][] = [
  ...[
    "lines",
    "l",
    "li",
    "lis",
    "col",
    "c",
    "co",
    "cou",
    "t",
    "ta",
    "tab",
    "tabl",
    "tabs",
    "q",
    "qbox",
    "qb",
    "m",
    "o",
    "j",
    "i",
    "a",
    "b",
    "h",
    "",
    "x",
    "csv",
    "ascii",
    "tcl",
  ].map((word) => [{ mode: [word] }]),
  [{ mode: ["box", "--wrap", "5"] }],
  [{ mode: ["box", "--wrap"] }],
  [{ mode: ["--wrap"] }],
  [{ mode: ["box", "a", "b"] }],
  [{ mode: ["box", "a", "--x"] }],
  [{ mode: ["insert", "my tab"] }],
  [{ mode: ["insert", "select"] }],
  [{ mode: ["insert", ""] }],
  [{ mode: ["insert", "ok_name"] }, { headers: true }],
  [{ mode: ["column", "--wordwrap", "maybe", "--wrap", "3"] }],
  [{ mode: ["column", "--wordwrap", "256", "--wrap", "4"] }],
  [{ mode: ["column", "-ww", "--quote", "--noquote", "--wrap", "4"] }],
  [{ mode: ["table", "--quote", "qbox"] }],
  [{ mode: ["qbox", "--wrap", "20", "--noquote"] }],
  [{ mode: ["--quote", "qbox", "--wrap", "1K"] }],
  [{ mode: ["column", "--wrap", "5"] }, { mode: [] }],
  [{ headers: false }, { mode: ["column"] }],
  [{ mode: ["tabs"] }, { mode: [] }],
  [{ separator: [";"] }, { mode: ["html"] }, { headers: true }],
  [{ separator: [";", "!"] }, { mode: ["list"] }],
  [{ separator: [";", "!"] }, { mode: ["tabs"] }],
  [{ mode: ["csv"] }, { mode: ["markdown"] }],
  [{ mode: ["json"] }, { mode: ["count"] }, { mode: ["off"] }, { mode: [] }],
];

const QUERY = "SELECT 1 AS a, NULL AS b, 'x y z w' AS c UNION ALL SELECT 2.5, 'it''s', x'41';";

function dq(s: string): string {
  return '"' + s.replaceAll("\\", "\\\\").replaceAll('"', '\\"') + '"';
}

function dot(c: Command): string {
  if ("mode" in c) return ".mode" + c.mode.map((a) => " " + dq(a)).join("");
  if ("headers" in c) return `.headers ${c.headers ? "on" : "off"}`;
  return ".separator " + c.separator.map(dq).join(" ");
}

async function sqlite3(script: string): Promise<{ stdout: string; stderr: string }> {
  const { stdout, stderr } = await runSqlite3([":memory:"], script);
  return { stdout, stderr };
}

const ROWS: SqlValue[][] = [[1n, null, "x y z w"], ["2.5", "it's", new Uint8Array([0x41])]];

function ours(commands: Command[]): { stdout: string; stderr: string } {
  let settings: FormatSettings = defaultFormatSettings();
  const out = memorySink();
  let stderr = "";
  const run = (c: Command) => {
    if ("mode" in c) {
      const r = applyModeCommand(settings, c.mode);
      settings = r.settings;
      out.write(r.stdout);
      stderr += r.stderr;
    } else if ("headers" in c) {
      settings = { ...settings, headers: c.headers, headerSet: true };
    } else {
      const [col, row] = c.separator;
      settings = { ...settings, colSeparator: col, rowSeparator: row ?? settings.rowSeparator };
    }
  };
  const query = () => {
    const printer = createPrinter(settings, out);
    printer.begin(["a", "b", "c"]);
    // 2.5 arrives as a REAL from the UNION's second row.
    for (const row of ROWS) printer.row(row.map((v) => (v === "2.5" ? 2.5 : v)));
    printer.end();
  };
  commands.forEach(run);
  query();
  run({ mode: [] });
  query();
  return { stdout: out.text(), stderr };
}

Deno.test({
  name: ".mode sequences match sqlite3 3.40 (output, errors, separators, headers)",
  ignore: !haveSqlite3,
  fn: async () => {
    for (const commands of SEQUENCES) {
      const script = commands.map((c) => dot(c) + "\n").join("") + `${QUERY}\n.mode\n${QUERY}\n`;
      const want = await sqlite3(script);
      assert.deepEqual(ours(commands), want, script);
    }
  },
});
