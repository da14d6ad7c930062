/**
 * One value at a time: REAL text (checked against sqlite3 3.40's own printf on thousands of
 * doubles), SQL/JSON/CSV/HTML/Tcl quoting, identifier quoting and columnar line splitting.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { formatRealG, realLiteral, realText } from "../../lib/shell/format/real.ts";
import { ByteWriter, charLength, utf8 } from "../../lib/shell/format/bytes.ts";
import {
  columnText,
  quotedColumnText,
  quoteIdentifier,
  realInsertLiteral,
  realSqlLiteral,
  writeCString,
  writeCsv,
  writeHtml,
  writeJsonString,
  writeSqlString,
  writeSqlStringEscaped,
} from "../../lib/shell/format/values.ts";
import { displayLine } from "../../lib/shell/format/wrap.ts";
import { haveSqlite3, SQLITE3 } from "../helpers/sqlite3.ts";

const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

function written(f: (w: ByteWriter) => void): string {
  const w = new ByteWriter();
  f(w);
  return new TextDecoder().decode(w.take());
}

Deno.test("realText: sqlite3 3.40's %!.15g", () => {
  const cases: [number, string][] = [
    [1, "1.0"],
    [0.1, "0.1"],
    [1e20, "1.0e+20"],
    [1e-7, "1.0e-07"],
    [123456789.123456789, "123456789.123457"],
    [-0, "0.0"],
    [0, "0.0"],
    [Infinity, "Inf"],
    [-Infinity, "-Inf"],
    [NaN, "NaN"],
    [1234567890123456, "1.23456789012346e+15"],
    [100, "100.0"],
    [1e15, "1.0e+15"],
    [123456789012345, "123456789012345.0"],
    [0.0001, "0.0001"],
    [0.00001, "1.0e-05"],
    [1e100, "1.0e+100"],
    [9.99999999999999999e22, "1.0e+23"],
    [-2.5, "-2.5"],
    [5e-324, "4.94065645841247e-324"],
  ];
  for (const [value, want] of cases) {
    assert.equal(realText(value), want, String(value));
    assert.equal(formatRealG(value, 15), want, `slow path ${value}`);
  }
});

Deno.test("realLiteral and the insert/json rules: %!.20g, N.0, 1e999", () => {
  assert.equal(realLiteral(0.1), "0.10000000000000000555");
  assert.equal(realLiteral(1e300), "1.0000000000000000047e+300");
  assert.equal(realLiteral(2.5e-300), "2.49999999999999998e-300");
  assert.equal(realLiteral(Infinity), "Inf");
  assert.equal(realSqlLiteral(Infinity), "1e999");
  assert.equal(realSqlLiteral(-Infinity), "-1e999");
  assert.equal(realSqlLiteral(2e19), "20000000000000000000.0");
  assert.equal(realInsertLiteral(1), "1.0");
  assert.equal(realInsertLiteral(9.2e18), "9200000000000000000.0");
  // Out of int64 range C's cast gives INT64_MIN, so the %!.20g digits show through.
  assert.equal(realInsertLiteral(-9.3e18), "-9300000000000000000.1");
  assert.equal(realInsertLiteral(-9223372036854775808), "-9223372036854775808.0");
  assert.equal(realInsertLiteral(0.5), "0.5");
});

/** Doubles that stress the long double replay: random bits, short decimals, near-halves. */
function sampleDoubles(): number[] {
  const out = [0.1, 0.3, 1 / 3, Math.PI, 1e22, 1e23, 1.7976931348623157e308, 5e-324, 2.5e-300];
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < 1500; i++) {
    view.setUint32(0, (Math.random() * 0x7fefffff) >>> 0);
    view.setUint32(4, (Math.random() * 0xffffffff) >>> 0);
    out.push(view.getFloat64(0));
  }
  for (let i = 0; i < 1500; i++) {
    let m = String(1 + Math.floor(Math.random() * 9));
    for (let j = 1; j < 15; j++) m += Math.floor(Math.random() * 10);
    const tail = ["5", "49999", "50001", "4999999999", "95", "", "1"][i % 7];
    const e = Math.floor(Math.random() * 640) - 320;
    out.push(Number(`${m[0]}.${m.slice(1)}${tail}e${e}`) * (i % 2 ? -1 : 1));
  }
  return out;
}

Deno.test({
  name: "REAL text matches sqlite3 3.40's printf('%!.15g') and printf('%!.20g') bit for bit",
  ignore: !haveSqlite3,
  fn: async () => {
    const values = sampleDoubles();
    const dir = await Deno.makeTempDir();
    const path = `${dir}/reals.db`;
    try {
      // The doubles travel in a database file, so no decimal round trip can blur them.
      const db = new DatabaseSync(path);
      db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, x REAL)");
      const insert = db.prepare("INSERT INTO t(x) VALUES (?)");
      db.exec("BEGIN");
      for (const v of values) insert.run(v);
      db.exec("COMMIT");
      db.close();
      const { stdout } = await new Deno.Command(SQLITE3, {
        args: [path, "SELECT printf('%!.15g', x) || ' ' || printf('%!.20g', x) FROM t ORDER BY id"],
        stdout: "piped",
      }).output();
      const want = new TextDecoder().decode(stdout).trimEnd().split("\n");
      const got = values.map((v) => `${realText(v)} ${realLiteral(v)}`);
      const bad = got.flatMap((
        g,
        i,
      ) => (g === want[i] ? [] : [`${values[i]}: ${want[i]} vs ${g}`]));
      assert.deepEqual(bad, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("columnText: C-string view of each value", () => {
  assert.equal(columnText(null), null);
  assert.equal(text(columnText(-9223372036854775808n)), "-9223372036854775808");
  assert.equal(text(columnText(2.5)), "2.5");
  assert.equal(text(columnText("a\0b")), "a");
  assert.deepEqual(columnText(new Uint8Array([0x41, 0xff, 0, 0x42])), new Uint8Array([0x41, 0xff]));
});

Deno.test("SQL string literals: quotes doubled; insert mode's replace() for newlines", () => {
  assert.equal(written((w) => writeSqlString(w, utf8("it's"))), "'it''s'");
  assert.equal(written((w) => writeSqlStringEscaped(w, utf8("plain"))), "'plain'");
  assert.equal(
    written((w) => writeSqlStringEscaped(w, utf8("a\nb's"))),
    "replace('a\\nb''s','\\n',char(10))",
  );
  assert.equal(
    written((w) => writeSqlStringEscaped(w, utf8("a\r\nb"))),
    "replace(replace('a\\r\\nb','\\r',char(13)),'\\n',char(10))",
  );
  // The marker must not already occur in the text: \n, then \012, then (\n0), (\n1)…
  assert.equal(
    written((w) => writeSqlStringEscaped(w, utf8("\\n\n"))),
    "replace('\\n\\012','\\012',char(10))",
  );
  assert.equal(
    written((w) => writeSqlStringEscaped(w, utf8("\\n\\012(\\n0)\n"))),
    "replace('\\n\\012(\\n0)(\\n1)','(\\n1)',char(10))",
  );
});

Deno.test("quotedColumnText: --quote in columnar modes", () => {
  assert.equal(text(quotedColumnText(null)), "NULL");
  assert.equal(text(quotedColumnText("it's")), "'it''s'");
  assert.equal(text(quotedColumnText(0.1)), "0.1");
  assert.equal(text(quotedColumnText(new Uint8Array([1, 0xab]))), "x'01ab'");
});

Deno.test("writeCsv: quotes empty, special and non-ASCII text, and text holding the separator", () => {
  const csv = (z: string | null, sep = ",") =>
    written((w) => writeCsv(w, z === null ? null : utf8(z), utf8(sep), utf8("NULL")));
  assert.equal(csv(null), "NULL");
  assert.equal(csv(""), '""');
  assert.equal(csv("plain!#"), "plain!#");
  assert.equal(csv("a b"), '"a b"');
  assert.equal(csv('say "hi"'), '"say ""hi"""');
  assert.equal(csv("é"), '"é"');
  assert.equal(csv("a,b"), '"a,b"');
  assert.equal(csv("a;b", ";"), '"a;b"');
  assert.equal(csv("ab", ""), '"ab"');
});

Deno.test("writeJsonString, writeCString, writeHtml escapes", () => {
  assert.equal(
    written((w) => writeJsonString(w, utf8('a"b\\c\n\t\b\f\r\x01é'))),
    '"a\\"b\\\\c\\n\\t\\b\\f\\r\\u0001é"',
  );
  assert.equal(
    written((w) => writeCString(w, utf8('a"b\\c\n\t\r\x01\x7fé'))),
    '"a\\"b\\\\c\\n\\t\\r\\001\\177\\303\\251"',
  );
  assert.equal(
    written((w) => writeHtml(w, utf8(`<a href="x">'&'</a>`))),
    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
  );
});

Deno.test("quoteIdentifier: odd characters and 3.40 keywords are quoted", () => {
  assert.equal(quoteIdentifier("abc_1"), "abc_1");
  assert.equal(quoteIdentifier("_x"), "_x");
  assert.equal(quoteIdentifier("1abc"), '"1abc"');
  assert.equal(quoteIdentifier("a b"), '"a b"');
  assert.equal(quoteIdentifier('x"y'), '"x""y"');
  assert.equal(quoteIdentifier("select"), '"select"');
  assert.equal(quoteIdentifier("Table"), '"Table"');
  assert.equal(quoteIdentifier("tâble"), '"tâble"');
  assert.equal(quoteIdentifier(""), '""');
});

Deno.test("displayLine: control characters, tabs, wrapping and word wrapping", () => {
  const line = (z: string, width: number, ww = false) => {
    const { line, tail } = displayLine(utf8(z), width, ww);
    return [text(line), text(tail)];
  };
  assert.deepEqual(line("abc", 0), ["abc", null]);
  assert.deepEqual(line("ab\ncd", 0), ["ab", "cd"]);
  assert.deepEqual(line("ab\r\ncd", 0), ["ab", "cd"]);
  assert.deepEqual(line("ab\x01cd", 0), ["ab", "cd"]);
  assert.deepEqual(line("ab\n", 0), ["ab", null]);
  assert.deepEqual(line("a\tb", 0), ["a       b", null]);
  assert.deepEqual(line("abcdefgh", 3), ["abc", "defgh"]);
  assert.deepEqual(line("中文字符", 3), ["中文字", "符"]);
  assert.deepEqual(line("hello world again", 8, true), ["hello ", "world again"]);
  assert.deepEqual(line("x".repeat(10), 4, true), ["xxxx", "xxxxxx"]);
  assert.equal(charLength(utf8("e\u0301😀")), 3);
});
