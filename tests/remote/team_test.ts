/**
 * The remote tier end to end over a real nginx WebDAV server (SPEC §10): a laptop and a CI
 * runner with caches of their own sharing one remote; write-through on `.load`, `.bundle
 * save` and `cas put`; read-through on `cas get` and a `--bundle` launch; `cas push/pull`,
 * `bundle push/pull`; per-remote counters in `cas stats`.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { sha256Hex } from "../../lib/cas/sha256.ts";
import { tempDir } from "../helpers/cli.ts";
import { extensions } from "../helpers/extensions.ts";
import { startNginx } from "../../scripts/nginx.ts";
import { linesOf, Machine, objects } from "./helpers.ts";

function sha256Of(path: string): string {
  return sha256Hex(Deno.readFileSync(path));
}

Deno.test("two caches share one nginx remote: the laptop's loads and bundle reach the CI runner, which pulls only what it lacks", async () => {
  const ext = await extensions();
  using dir = tempDir();
  await using nginx = await startNginx();
  const url = `${nginx.origin}/team`;
  const laptop = new Machine(dir.path, "laptop");
  const ci = new Machine(dir.path, "ci");
  for (const machine of [laptop, ci]) {
    const added = await machine.run(["remote", "add", "team", url]);
    assert.equal(added.code, 0, added.stderr);
  }
  const config = join(laptop.config, "sqlink", "config.json");
  assert.equal(Deno.statSync(config).mode! & 0o777, 0o600);
  assert.equal(Deno.statSync(join(laptop.config, "sqlink")).mode! & 0o777, 0o700);

  // Write-through: .load of new files and .bundle save upload before the shell ends.
  const session = await laptop.shell(
    `.load ${ext.vec9.path}\n.load ${ext.lines.path}\n.bundle save explore --no-build\n`,
  );
  assert.equal(session.code, 0, session.stderr);
  assert.equal(session.stderr, "");
  const vecKey = `team/cas/${sha256Of(ext.vec9.path)}`;
  const linesKey = `team/cas/${sha256Of(ext.lines.path)}`;
  assert.deepEqual(objects(nginx.root), [linesKey, vecKey].sort());

  const pushed = await laptop.run(["bundle", "push", "explore", "--json"]);
  assert.equal(pushed.code, 0, pushed.stderr);
  const push = JSON.parse(pushed.stdout);
  assert.equal(push.members[0].uploaded, 0, "the members went up with the save");
  assert.equal(push.members[0].present, 2);
  assert.equal(push.manifest[0].uploaded, 1);
  assert.equal(push.refs[0].uploaded, 1);
  assert.equal(
    Deno.readTextFileSync(join(nginx.root, "team/refs/bundles/explore")).trim(),
    push.manifestSha256,
  );
  const manifest = JSON.parse(
    Deno.readTextFileSync(join(nginx.root, `team/cas/${push.manifestSha256}`)),
  );
  assert.deepEqual(manifest.members.map((m: { name: string }) => m.name), ["vec0", "lines0"]);
  assert.equal(manifest.members[0].sha256, sha256Of(ext.vec9.path));
  assert.equal(manifest.members[0].blake3, ext.vec9.blake3);

  // The CI runner pulls the bundle by name, then launches with it.
  const pulled = await ci.run(["bundle", "pull", "explore", "--json"]);
  assert.equal(pulled.code, 0, pulled.stderr);
  const pull = JSON.parse(pulled.stdout);
  assert.equal(pull.created, true);
  assert.equal(pull.setHash, push.setHash);
  assert.deepEqual(pull.members.map((m: { fetched: boolean }) => m.fetched), [true, true]);
  const launched = await ci.run([
    "--bundle-load",
    "explore",
    ":memory:",
    "select vec_length('[1,2,3]'), lines_version() is not null",
  ]);
  assert.equal(launched.code, 0, launched.stderr);
  assert.equal(launched.stdout, "3|1\n");

  // Again: a complete bundle costs the pointer and the manifest, and no HEAD at all.
  const before = nginx.requests().length;
  const again = await ci.run(["bundle", "pull", "explore", "--json"]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout).members.map((m: { fetched: boolean }) => m.fetched), [
    false,
    false,
  ]);
  assert.deepEqual(nginx.requests().slice(before), [
    "GET /team/refs/bundles/explore 200",
    `GET /team/cas/${push.manifestSha256} 200`,
  ]);

  // By the manifest's hash, under another name.
  const byHash = await ci.run(["bundle", "pull", push.manifestSha256, "--as", "explore-ci"]);
  assert.equal(byHash.code, 0, byHash.stderr);
  assert.match(byHash.stdout, /bundle "explore-ci"/);

  // Cumulative counters, kept in the CI runner's cache.
  const stats = JSON.parse((await ci.run(["cas", "stats", "--json"])).stdout);
  assert.equal(stats.remotes.length, 1);
  const row = stats.remotes[0];
  assert.equal(row.remote, url);
  assert.equal(row.hits, 2 + 3, "two members and three manifests");
  assert.equal(row.errors, 0);
  assert.equal(row.quarantined, 0);
  const memberBytes = Deno.statSync(ext.vec9.path).size + Deno.statSync(ext.lines.path).size;
  assert.ok(row.bytesIn > memberBytes, `${row.bytesIn} > ${memberBytes}`);
  const text = await ci.run(["cas", "stats"]);
  assert.match(text.stdout, /^remotes:\n {2}REMOTE +HITS +MISSES/m);
});

Deno.test("read-through: cas get by SHA-256 and a --bundle launch whose member was lost come from the remote, verified", async () => {
  const ext = await extensions();
  using dir = tempDir();
  await using nginx = await startNginx();
  const remote = { SQLINK_REMOTE: `${nginx.origin}/r` };
  const laptop = new Machine(dir.path, "laptop", remote);
  const ci = new Machine(dir.path, "ci", remote);
  const put = await laptop.run(["cas", "put", ext.hello.path, ext.path.path, "--json"]);
  assert.equal(put.code, 0, put.stderr);
  assert.equal(JSON.parse(put.stdout).remotes[0].uploaded, 2);

  const sha = sha256Of(ext.hello.path);
  const out = join(dir.path, "hello.so");
  const got = await ci.run(["cas", "get", `sha256:${sha}`, "-o", out]);
  assert.equal(got.code, 0, got.stderr);
  assert.deepEqual(Deno.readFileSync(out), Deno.readFileSync(ext.hello.path));
  // Promoted: the next get is local (no remote at all).
  const local = await ci.run(["cas", "get", `sha256:${sha}`, "-o", out, "--no-remote"]);
  assert.equal(local.code, 0, local.stderr);

  // A bundle whose member blob this cache lost (a corrupt blob removed by verify --repair).
  const saved = await laptop.run(["bundle", "save", "paths", ext.path.path, "--no-build"]);
  assert.equal(saved.code, 0, saved.stderr);
  const db = new DatabaseSync(laptop.casFile);
  db.prepare(`UPDATE __cas_artifact SET data = zeroblob(length(data)) WHERE blake3 = ?`)
    .run(ext.path.blake3);
  db.close();
  const repaired = await laptop.run(["cas", "verify", "--repair"]);
  assert.notEqual(repaired.code, 2, repaired.stderr);
  const offline = await laptop.run(["--bundle-load", "paths", ":memory:", "select 1"], {
    env: { SQLINK_REMOTE: "" },
  });
  assert.equal(offline.code, 1);
  assert.match(offline.stderr, /not in the cas-cache: path0/);
  const online = await laptop.run([
    "--bundle-load",
    "paths",
    ":memory:",
    "select path_version() is not null",
  ]);
  assert.equal(online.code, 0, online.stderr);
  assert.equal(online.stdout, "1\n");

  // A reference the remote cannot answer (a prefix) is the same local error as before.
  const prefix = await ci.run(["cas", "get", "abcdef12", "-o", out]);
  assert.equal(prefix.code, 1);
  assert.match(prefix.stderr, /No artifact in the cas-cache matches "abcdef12"/);
  assert.deepEqual(linesOf(prefix.stderr, "warning:"), []);
});
