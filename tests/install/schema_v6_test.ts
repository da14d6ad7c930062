/**
 * Schema v6 (`__cas_ext_origin`, installed extensions) is a step of its own after v5: a v5
 * cache, as sqlink wrote it before installs existed (artifacts, URIs, a bundle, remote
 * counters), opens as v6 with every row kept, and `ext add` / `.load NAME` work on it.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { tempDir } from "../helpers/cli.ts";
import { CasStore } from "../../lib/cas/store.ts";
import { saveBundle } from "../../lib/bundle/registry.ts";
import { SCHEMA_VERSION } from "../../lib/cas/schema.ts";
import { startMirror } from "./mirror.ts";
import { machineFor } from "./helpers.ts";

function dump(path: string): Record<string, unknown[]> {
  const db = new DatabaseSync(path);
  try {
    const tables = db.prepare(
      `SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE '__cas_%' ORDER BY name`,
    ).all().map((r) => String(r.name));
    return Object.fromEntries(
      tables.map((
        t,
      ) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all().map((r) => ({ ...r }))]),
    );
  } finally {
    db.close();
  }
}

Deno.test("schema v6: a v5 cache opens as v6 with every row kept, then installs into it", async () => {
  using dir = tempDir();
  await using mirror = startMirror();
  const { machine, run } = machineFor(dir.path, "old", mirror.url);
  Deno.mkdirSync(machine.root, { recursive: true, mode: 0o700 });
  const store = CasStore.open({ path: machine.casFile });
  const put = store.put(new TextEncoder().encode("member bytes"), { uri: "extension:m" });
  saveBundle(store, "b", [{ extensionName: "m", contentHash: put.blake3, entryPoint: null }]);
  store.db.exec(
    `INSERT INTO __cas_remote_stat(remote, hits, updated_at) VALUES ('http://team.example/', 3, 1)`,
  );
  store.close();
  // What a v5 sqlink left: no v6 table, version 5.
  const db = new DatabaseSync(machine.casFile);
  db.exec(
    `DROP TABLE __cas_ext_origin; UPDATE __cas_meta SET value = '5' WHERE key = 'schema_version'`,
  );
  db.close();
  const v5 = dump(machine.casFile);
  assert.ok(!("__cas_ext_origin" in v5));

  const stats = await run(["cas", "stats", "--json"]);
  assert.equal(JSON.parse(stats.stdout).schemaVersion, SCHEMA_VERSION);
  assert.equal(SCHEMA_VERSION, 6);
  const v6 = dump(machine.casFile);
  for (const [table, rows] of Object.entries(v5)) {
    if (table === "__cas_meta") continue;
    assert.deepEqual(v6[table], rows, table);
  }
  assert.deepEqual(v6.__cas_ext_origin, []);
  const add = await run(["ext", "add", "npm:sqlite-lines@0.2.2"]);
  assert.equal(add.code, 0, add.stderr);
  const shell = await run([
    "-init",
    "/dev/null",
    ":memory:",
    ".load lines0",
    "select lines_version()",
  ]);
  assert.equal(shell.stdout, "v0.2.2\n", shell.stderr);
});
