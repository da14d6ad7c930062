/**
 * `sqlink cas verify` beyond the database (SPEC §3.5): the materialized copies under
 * `<root>/ext/` and the baked binaries under `<root>/builds/` are hashed too, damage is
 * reported with exit 1, and `--repair` removes the bad files (and the records naming them).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { exists, extensions, TestCache } from "../helpers/extensions.ts";
import { binaryRows, recordStandIn, tamper } from "../helpers/baked.ts";

Deno.test("cas verify: damaged materialized copies and baked binaries are found; --repair removes them", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const saved = await cache.script(
    `.load ${ext.vec9.path}\n.load ${ext.hello.path}\n.bundle save b\n`,
  );
  assert.equal(saved.code, 0, saved.stderr);
  const standIn = recordStandIn(cache, "b");

  const clean = await cache.cli("cas", "verify");
  assert.equal(clean.code, 0, clean.stderr);
  assert.equal(
    clean.stdout,
    "checked 2 artifact(s), 2 materialized copies and 1 baked binary: all intact\n",
  );

  const vecCopy = cache.materialized(ext.vec9.blake3, ext.vec9.file);
  const helloCopy = cache.materialized(ext.hello.blake3, ext.hello.file);
  tamper(vecCopy);
  tamper(standIn.path);
  Deno.removeSync(helloCopy);
  Deno.mkdirSync(helloCopy); // not a regular file where a copy should be

  const damaged = await cache.cli("cas", "verify");
  assert.equal(damaged.code, 1, damaged.stderr);
  assert.match(
    damaged.stdout,
    new RegExp(`^bad copy ${vecCopy}: it hashes to \\w{12}…, not to its key$`, "m"),
  );
  assert.match(
    damaged.stdout,
    new RegExp(`^bad copy ${helloCopy}: it is not a regular file$`, "m"),
  );
  assert.match(
    damaged.stdout,
    new RegExp(`^bad binary ${standIn.path}: it no longer holds the program that was baked$`, "m"),
  );
  assert.match(damaged.stdout, /damage found; run `sqlink cas verify --repair` to remove it\n$/);
  const json = await cache.cli("cas", "verify", "--json");
  assert.equal(json.code, 1);
  const report = JSON.parse(json.stdout);
  assert.equal(report.ok, false);
  assert.equal(report.copies.checked, 2);
  assert.deepEqual(
    report.copies.bad.map((b: { path: string }) => b.path).sort(),
    [vecCopy, helloCopy].sort(),
  );
  assert.deepEqual(report.binaries.bad.map((b: { path: string }) => b.path), [standIn.path]);

  const repaired = await cache.cli("cas", "verify", "--repair");
  assert.equal(repaired.code, 0, repaired.stderr);
  assert.match(repaired.stdout, /removed what was damaged\n$/);
  assert.equal(exists(vecCopy), false);
  assert.equal(exists(helloCopy), false);
  assert.equal(exists(standIn.path), false);
  assert.deepEqual(binaryRows(cache), []);
  // The artifacts themselves were intact and stay; the next launch writes the copies again.
  assert.equal(cache.state().artifacts.length, 2);
  const launched = await cache.shell(["--bundle", "b", ":memory:", "select hello('x')"]);
  assert.equal(launched.stdout, "hello, x\n", launched.stderr);
  const after = await cache.cli("cas", "verify");
  assert.equal(after.code, 0, after.stdout);
  assert.match(after.stdout, /2 materialized copies and 0 baked binaries: all intact/);
});

Deno.test("cas verify --repair never removes a file outside the cache that a record names", async () => {
  const ext = await extensions();
  using cache = new TestCache();
  const saved = await cache.script(`.load ${ext.hello.path}\n.bundle save b\n`);
  assert.equal(saved.code, 0, saved.stderr);
  recordStandIn(cache, "b");
  const outside = join(cache.dir, "precious");
  Deno.writeTextFileSync(outside, "keep me");
  cache.sql(`UPDATE __cas_bundle_binary SET binary_path = ?`, outside);
  const repaired = await cache.cli("cas", "verify", "--repair");
  assert.equal(repaired.code, 0, repaired.stderr);
  assert.equal(Deno.readTextFileSync(outside), "keep me");
  assert.deepEqual(binaryRows(cache), []);
});
