/** The names completion reads from a connection. */
import assert from "node:assert/strict";
import { Database, loadSqlite } from "../../lib/sqlite/mod.ts";
import { schemaNames } from "../../lib/shell/prompt/schema_names.ts";

await loadSqlite();

Deno.test("schema names: tables, views and columns, temporary ones included", () => {
  const db = new Database(":memory:");
  try {
    db.exec(`
      CREATE TABLE things(alpha, beta);
      CREATE VIEW v AS SELECT alpha AS gamma FROM things;
      CREATE INDEX things_alpha ON things(alpha);
      CREATE TABLE "other table"(delta);
      CREATE TEMP TABLE scratch(epsilon);
    `);
    assert.deepEqual(schemaNames(db), {
      tables: ["other table", "scratch", "things", "v"],
      columns: ["alpha", "beta", "delta", "epsilon", "gamma"],
    });
  } finally {
    db.close();
  }
});

Deno.test("schema names: a schema change is seen, an unchanged schema is cached", () => {
  const db = new Database(":memory:");
  try {
    db.exec("CREATE TABLE a(x)");
    const first = schemaNames(db);
    assert.equal(schemaNames(db), first);
    db.exec("CREATE TABLE b(y)");
    assert.deepEqual(schemaNames(db), { tables: ["a", "b"], columns: ["x", "y"] });
    db.exec("DROP TABLE a");
    assert.deepEqual(schemaNames(db), { tables: ["b"], columns: ["y"] });
  } finally {
    db.close();
  }
});

Deno.test("schema names: a closed database gives what was last read", () => {
  const db = new Database(":memory:");
  db.exec("CREATE TABLE a(x)");
  const names = schemaNames(db);
  db.close();
  assert.deepEqual(schemaNames(db), names);
  const fresh = new Database(":memory:");
  fresh.close();
  assert.deepEqual(schemaNames(fresh), { tables: [], columns: [] });
});
