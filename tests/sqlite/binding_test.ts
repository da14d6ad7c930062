/** sqlink's SQLite binding: statements, errors with SQLite's offset, functions, extensions. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { backupTo } from "../../lib/sqlite/backup.ts";
import { Database, loadSqlite, SqliteError } from "../../lib/sqlite/mod.ts";
import { extensions } from "../helpers/extensions.ts";
import { tempDir } from "../helpers/cli.ts";

await loadSqlite();

function failure(fn: () => unknown): SqliteError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SqliteError, String(error));
    return error;
  }
  assert.fail("expected a SqliteError");
}

Deno.test("binding: rows as objects or arrays, INTEGERs as numbers or bigints", () => {
  const db = new Database(":memory:");
  try {
    db.exec(
      "CREATE TABLE t(a, b, c); INSERT INTO t VALUES (1, 2.5, 'x'), (9223372036854775807, NULL, x'00ff')",
    );
    assert.deepEqual(db.prepare("SELECT * FROM t LIMIT 1").all(), [{ a: 1, b: 2.5, c: "x" }]);
    const rows = db.prepare("SELECT * FROM t").setReturnArrays(true).setReadBigInts(true).all();
    assert.deepEqual(rows, [[1n, 2.5, "x"], [
      9223372036854775807n,
      null,
      new Uint8Array([0, 255]),
    ]]);
    assert.deepEqual(db.prepare("SELECT ?1 + ?2 AS s").get(40, 2), { s: 42 });
    assert.deepEqual(db.prepare("INSERT INTO t VALUES (?, ?, ?)").run("a", 1.5, null), {
      changes: 1,
      lastInsertRowid: 3,
    });
    assert.equal(db.isTransaction, false);
    db.exec("BEGIN");
    assert.equal(db.isTransaction, true);
    db.exec("ROLLBACK");
  } finally {
    db.close();
  }
});

Deno.test("binding: errors carry SQLite's message, code and the byte offset of the token", () => {
  const db = new Database(":memory:");
  try {
    const parse = failure(() => db.prepare("SELECT 'é', nope FROM (SELECT 1)"));
    assert.equal(parse.message, "no such column: nope");
    assert.equal(parse.errcode, 1);
    assert.equal(parse.offset, 13); // bytes: 'é' is two
    db.exec("CREATE TABLE u(x UNIQUE); INSERT INTO u VALUES (1)");
    const step = failure(() => db.exec("INSERT INTO u VALUES (1)"));
    assert.equal(step.message, "UNIQUE constraint failed: u.x");
    assert.equal(step.errcode, 2067); // SQLITE_CONSTRAINT_UNIQUE
    assert.equal(step.primary, 19);
  } finally {
    db.close();
  }
});

Deno.test("binding: prepareBytes gives each statement's tail as SQLite's parser ends it", () => {
  const db = new Database(":memory:");
  try {
    const bytes = new TextEncoder().encode("SELECT ';'; -- c\nSELECT 2;  ");
    const first = db.prepareBytes(bytes, 0);
    assert.equal(first.statement?.sql, "SELECT ';';");
    assert.equal(first.tail, 11);
    first.statement?.finalize();
    const second = db.prepareBytes(bytes, first.tail);
    assert.equal(second.statement?.sql, " -- c\nSELECT 2;"); // comments before it included
    second.statement?.finalize();
    const last = db.prepareBytes(bytes, second.tail);
    assert.equal(last.statement, null);
    assert.equal(last.tail, bytes.length);
  } finally {
    db.close();
  }
});

Deno.test("binding: SQL functions written in TypeScript, errors included", () => {
  const db = new Database(":memory:");
  try {
    db.function("twice", { deterministic: true }, (x) => typeof x === "bigint" ? x * 2n : null);
    db.function("fail", {}, () => {
      throw new Error("no good");
    });
    db.function("concat_all", { varargs: true }, (...args) => args.map(String).join("+"));
    assert.deepEqual(db.prepare("SELECT twice(21) AS a, twice('x') AS b").get(), {
      a: 42,
      b: null,
    });
    assert.deepEqual(db.prepare("SELECT concat_all(1, 'é', 2.5) AS c").get(), { c: "1+é+2.5" });
    assert.equal(failure(() => db.prepare("SELECT fail()").get()).message, "no good");
  } finally {
    db.close();
  }
});

Deno.test("binding: extensions load through the C API only; SQL load_extension() is not authorized", async () => {
  const { lines } = await extensions();
  const db = new Database(":memory:");
  try {
    const refused = failure(() => db.prepare("SELECT load_extension(?)").get(lines.path));
    assert.equal(refused.message, "not authorized");
    db.loadExtension(lines.path);
    assert.match(db.prepare("SELECT lines_version() AS v").get().v, /^v0\.2/);
    const missing = failure(() => db.loadExtension(lines.path, "no_such_entry"));
    assert.match(missing.message, /no_such_entry/);
  } finally {
    db.close();
  }
});

Deno.test("binding: backup copies a database into a file", () => {
  using dir = tempDir();
  const db = new Database(":memory:");
  try {
    db.exec("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2)");
    const file = join(dir.path, "copy.db");
    backupTo(db, file);
    const copy = new Database(file, { readOnly: true });
    assert.deepEqual(copy.prepare("SELECT count(*) AS n FROM t").get(), { n: 2 });
    copy.close();
    assert.throws(() => backupTo(db, file, "nosuch"), /unknown database nosuch/);
  } finally {
    db.close();
  }
});
