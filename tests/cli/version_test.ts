/** `sqlink version`: sqlink's, SQLite's and Deno's versions and the target, in text and JSON. */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { ROOT, runSqlink } from "../helpers/cli.ts";

const config = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json")));

function sqliteVersion(): string {
  const db = new DatabaseSync(":memory:");
  const row = db.prepare("SELECT sqlite_version() AS v").get() as { v: string };
  db.close();
  return row.v;
}

Deno.test("sqlink version prints sqlink's, SQLite's and Deno's versions and the target", async () => {
  const text = await runSqlink(["version"]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^sqlink ${config.version.replaceAll(".", "\\.")}\n`));
  assert.match(text.stdout, new RegExp(`^sqlite ${sqliteVersion()} \\(node:sqlite, \\d{4}-`, "m"));
  assert.match(text.stdout, new RegExp(`^deno +${Deno.version.deno} \\(v8 `, "m"));
  assert.match(text.stdout, new RegExp(`^target ${Deno.build.target}$`, "m"));

  const json = await runSqlink(["version", "--json"]);
  assert.equal(json.code, 0, json.stderr);
  const v = JSON.parse(json.stdout);
  assert.equal(v.sqlink, config.version);
  assert.equal(v.sqlite.version, sqliteVersion());
  assert.equal(v.deno, Deno.version.deno);
  assert.equal(v.target, Deno.build.target);

  // --version stays sqlite3's: the version line of the SQLite the shell runs on (its own
  // binding's library, not node:sqlite's).
  const shell = await runSqlink([":memory:", "select sqlite_version()"]);
  assert.equal(shell.code, 0, shell.stderr);
  const dash = await runSqlink(["--version"]);
  assert.match(
    dash.stdout,
    new RegExp(`^${shell.stdout.trim().replaceAll(".", "\\.")} \\d{4}-\\d\\d-\\d\\d `),
  );
  const help = await runSqlink(["--help"]);
  assert.match(help.stdout, /^ {3}version +sqlink's, SQLite's and Deno's versions/m);
});
