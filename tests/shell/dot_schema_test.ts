/**
 * `.tables`, `.indexes`, `.schema`, `.databases` and `.fullschema` against the real sqlite3
 * 3.40 shell: the same database file, the same command, byte-identical output and status.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openShellDatabase } from "../../lib/shell/database.ts";
import type { DotCommand } from "../../lib/shell/dot/registry.ts";
import { indicesCommand, schemaCommands } from "../../lib/shell/dot/schema.ts";
import { memorySink } from "../../lib/shell/sink.ts";
import { createShellState } from "../../lib/shell/state.ts";
import { haveSqlite3, SQLITE3 } from "../helpers/sqlite3.ts";
import { loadSqlite } from "../../lib/sqlite/library.ts";

await loadSqlite();

/** What a shell printed and how the command ended. */
interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

/** `line` as sqlite3 tokenizes dot-command arguments: quote the ones with spaces. */
function dotLine(words: string[]): string {
  return words.map((w) => /[\s'"]/.test(w) ? `'${w}'` : w).join(" ");
}

/** Run sqlite3 3.40 on `db` with SQL `setup` first, then the dot-command `words`. */
function reference(db: string, setup: string[], words: string[]): Outcome {
  const result = new Deno.Command(SQLITE3, {
    args: ["-init", "/dev/null", db, ...setup, dotLine(words)],
    env: { HOME: "/nonexistent" },
    stdin: "null",
  }).outputSync();
  const text = new TextDecoder();
  return {
    status: result.code === 0 ? 0 : 1,
    stdout: text.decode(result.stdout),
    stderr: text.decode(result.stderr),
  };
}

const COMMANDS: DotCommand[] = [...schemaCommands, indicesCommand];

/** Run our dot-command `words` in-process on `db` after the SQL `setup`. */
async function ours(db: string, setup: string[], words: string[]): Promise<Outcome> {
  const stdout = memorySink();
  const stderr = memorySink();
  const conn = openShellDatabase(db);
  try {
    const state = createShellState(conn, db, { stdout, stderr });
    for (const sql of setup) conn.exec(sql);
    const command = COMMANDS.find((c) => c.name === words[0].slice(1));
    assert.ok(command, `no command ${words[0]}`);
    const host = {} as Parameters<DotCommand["run"]>[0]["host"];
    const status = await command.run({ state, host }, words.slice(1));
    return { status, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    conn.close();
  }
}

/** Assert both shells agree on `words` (`.name args…`) over `db` after `setup`. */
async function same(db: string, words: string[], setup: string[] = []): Promise<Outcome> {
  const want = reference(db, setup, words);
  const got = await ours(db, setup, words);
  assert.deepEqual(got, want, `${words.join(" ")} after ${setup.join("; ")}`);
  return got;
}

const FIXTURE = `
CREATE TABLE t1(a INTEGER PRIMARY KEY, b TEXT, c REAL, d BLOB);
CREATE TABLE "weird name"("col one" TEXT, "select" INT, x);
CREATE TABLE seq(id INTEGER PRIMARY KEY AUTOINCREMENT, v);
CREATE TABLE wr(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
CREATE TABLE "ünïcode"(ä, ö);
CREATE TABLE "select"(x);
CREATE TABLE comm(a, -- trailing comment
 b /* block */, c);
CREATE TABLE longtable(alpha_column INTEGER NOT NULL DEFAULT 0, beta_column TEXT COLLATE NOCASE,
  gamma_column REAL CHECK (gamma_column > 0), delta BLOB, "quoted (paren" TEXT,
  'single' TEXT, [bracket] INT, \`tick\` INT, FOREIGN KEY(alpha_column) REFERENCES t1(a));
CREATE TABLE ends_in_comment(x) -- no newline after this
;
CREATE INDEX t1b ON t1(b);
CREATE UNIQUE INDEX "weird idx" ON "weird name"("col one");
CREATE INDEX wr_v ON wr(v) WHERE v > 0;
CREATE VIEW v1 AS SELECT a, b FROM t1;
CREATE VIEW "view two" AS SELECT 1 AS "one col", 2;
CREATE TRIGGER tr1 AFTER INSERT ON t1 BEGIN INSERT INTO seq(v) VALUES(new.a); END;
CREATE VIRTUAL TABLE ft USING fts5(title, body);
INSERT INTO t1 VALUES(1, 'x', 1.5, x'00');
INSERT INTO seq(v) VALUES('a');
`;

const OTHER = `
CREATE TABLE ot(x, y);
CREATE INDEX oi ON ot(x);
CREATE VIEW ov AS SELECT x FROM ot;
CREATE TABLE "table"(a);
`;

/** Make a database file with sqlite3 3.40 itself. */
function build(path: string, sql: string): void {
  const result = new Deno.Command(SQLITE3, { args: [path, sql], stdin: "null" }).outputSync();
  assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
}

/** A temporary directory holding fixture.db and other.db. */
function fixture(): { dir: string; db: string; other: string } {
  const dir = Deno.makeTempDirSync({ prefix: "sqlink-dot-schema-" });
  const db = join(dir, "fixture.db");
  const other = join(dir, "other.db");
  build(db, FIXTURE);
  build(other, OTHER);
  return { dir, db, other };
}

Deno.test({
  name: ".tables and .indexes list names in sqlite3's columns",
  ignore: !haveSqlite3,
  async fn() {
    const { dir, db } = fixture();
    try {
      await same(db, [".tables"]);
      await same(db, [".tables", "t%"]);
      await same(db, [".tables", "%e%"]);
      await same(db, [".tables", "nothing"]);
      await same(db, [".tables", "T_"]);
      await same(db, [".tables", "a", "b"]); // extra arguments are ignored
      await same(db, [".indexes"]);
      await same(db, [".indexes", "t1"]);
      await same(db, [".indexes", "W%"]);
      await same(db, [".indices", "wr"]);
      const usage = await same(db, [".indexes", "a", "b"]);
      assert.equal(usage.status, 1);
      assert.equal(usage.stderr, "Usage: .indexes ?LIKE-PATTERN?\n");
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: ".tables lays out long and many names like sqlite3",
  ignore: !haveSqlite3,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "sqlink-dot-schema-" });
    try {
      const layouts = [
        Array.from({ length: 23 }, (_, i) => `CREATE TABLE tab_${i * 7}(x);`).join(""),
        `CREATE TABLE ${"a".repeat(85)}(x); CREATE TABLE b(x);`,
        // Widths count bytes, so multi-byte names pad as sqlite3 pads them, not as they look.
        "CREATE TABLE ééééééééééééé(x); CREATE TABLE b(x); CREATE TABLE c(x);",
      ];
      for (const [i, sql] of layouts.entries()) {
        const db = join(dir, `layout${i}.db`);
        build(db, sql);
        await same(db, [".tables"]);
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

/** Deno lets node:sqlite ATTACH only when the process has every permission. */
const canAttach = (() => {
  const db = openShellDatabase(":memory:");
  try {
    db.exec("ATTACH ':memory:' AS probe");
    return true;
  } catch {
    return false;
  } finally {
    db.close();
  }
})();

Deno.test({
  name: ".tables, .indexes, .schema and .fullschema cover the temp database",
  ignore: !haveSqlite3,
  async fn() {
    const { dir, db } = fixture();
    const setup = [
      "CREATE TEMP TABLE tt(x)",
      "CREATE TEMP VIEW tv AS SELECT 1 AS one",
      "CREATE INDEX temp.tti ON tt(x)",
    ];
    try {
      for (
        const words of [
          [".tables"],
          [".tables", "temp.%"],
          [".indexes"],
          [".indexes", "tt"],
          [".schema"],
          [".schema", "temp.*"],
          [".schema", "tv"],
          [".fullschema"],
          [".databases"],
        ]
      ) await same(db, words, setup);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: ".tables, .indexes, .schema and .databases cover attached databases",
  // Without every permission Deno refuses ATTACH ("too many attached databases - max 0").
  ignore: !haveSqlite3 || !canAttach,
  async fn() {
    const { dir, db, other } = fixture();
    const setup = [
      `ATTACH '${other}' AS aux`,
      `ATTACH '${other}' AS "my db"`,
      "CREATE TEMP TABLE tt(x)",
      "CREATE TEMP VIEW tv AS SELECT 1 AS one",
      "CREATE INDEX temp.tti ON tt(x)",
    ];
    try {
      for (
        const words of [
          [".tables"],
          [".tables", "aux%"],
          [".tables", "%t"],
          [".indexes"],
          [".indexes", "ot"],
          [".schema"],
          [".schema", "ot"],
          [".schema", "aux.o%"],
          [".schema", "temp.*"],
          [".schema", "--indent", "ov"],
          [".databases"],
          [".fullschema"],
        ]
      ) await same(db, words, setup);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: ".schema prints CREATE statements, patterns, --indent and --nosys like sqlite3",
  ignore: !haveSqlite3,
  async fn() {
    const { dir, db } = fixture();
    try {
      for (
        const words of [
          [".schema"],
          [".schema", "--indent"],
          [".schema", "-indent"],
          [".schema", "--nosys"],
          [".schema", "--indent", "--nosys"],
          [".schema", "t1"],
          [".schema", "T1"],
          [".schema", "v%"],
          [".schema", "*1"],
          [".schema", "[wv]*"],
          [".schema", "main.t1"],
          [".schema", "main.t*"],
          [".schema", "ft"],
          [".schema", "longtable", "--indent"],
          [".schema", "comm", "--indent"],
          [".schema", "ends_in_comment"],
          [".schema", "sqlite_master"],
          [".schema", "--indent", "sqlite_schema"],
          [".schema", "dbstat"],
          [".schema", "nothing"],
        ]
      ) await same(db, words);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: ".schema describes table-valued functions only the running engine has (engine gap)",
  ignore: !haveSqlite3,
  async fn() {
    const { dir, db } = fixture();
    try {
      // A pattern also matches pragma_module_list. sqlite3 3.40 registers its own modules
      // (generate_series, fsdir, zipfile, completion, sqlite_dbdata, …) and lists JSON's;
      // node:sqlite's engine has a different set, so only the module comments may differ.
      for (const pattern of ["main.*", "sqlite_%", "%"]) {
        const want = reference(db, [], [".schema", pattern]);
        const got = await ours(db, [], [".schema", pattern]);
        const isModule = (line: string) => /^\/\* [a-z0-9_]+\(.*\) \*\/;$/.test(line);
        const plain = (text: string) => text.split("\n").filter((l) => !isModule(l));
        assert.deepEqual(plain(got.stdout), plain(want.stdout));
        if (pattern !== "sqlite_%") {
          assert.ok(got.stdout.includes("/* dbstat("), "modules both engines have are listed");
        }
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: ".schema refuses unknown options and a second pattern",
  ignore: !haveSqlite3,
  async fn() {
    const { dir, db } = fixture();
    try {
      const unknown = await same(db, [".schema", "--bogus"]);
      assert.equal(unknown.status, 1);
      assert.equal(unknown.stderr, 'Unknown option: "--bogus"\n');
      const two = await same(db, [".schema", "a", "b"]);
      assert.equal(two.status, 1);
      assert.equal(two.stdout, "");
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: ".fullschema shows the schema and sqlite_stat1 rows like sqlite3",
  ignore: !haveSqlite3,
  async fn() {
    const { dir, db } = fixture();
    try {
      await same(db, [".fullschema"]);
      await same(db, [".fullschema", "--indent"]);
      const usage = await same(db, [".fullschema", "x"]);
      assert.equal(usage.stderr, "Usage: .fullschema ?--indent?\n");
      // ANALYZE run by sqlite3 3.40 writes sqlite_stat1 only, so both shells see the same
      // tables. (ANALYZE run by the newer engine also writes sqlite_stat4, which 3.40's
      // Debian build never has: that difference belongs to the engine.)
      build(db, "ANALYZE");
      await same(db, [".fullschema"]);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: '.databases names the file, or "" for an in-memory database',
  ignore: !haveSqlite3,
  async fn() {
    const { dir, db } = fixture();
    try {
      const got = await same(db, [".databases"]);
      assert.equal(got.stdout, `main: ${db} r/w\n`);
      const memory = await ours(":memory:", [], [".databases"]);
      assert.equal(memory.stdout, reference("", [], [".databases"]).stdout);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "schema commands print nothing for an empty database",
  ignore: !haveSqlite3,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "sqlink-dot-schema-" });
    const db = join(dir, "empty.db");
    try {
      for (const words of [[".tables"], [".indexes"], [".schema"], [".fullschema"]]) {
        await same(db, words);
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
