/**
 * The whole journey of a bundle, as a team uses it, with real extensions and real
 * processes: load three extensions in a shell, save them as a bundle, export it, import
 * the archive into a fresh cas-cache on "another machine", delete the original files and
 * the first cache, then launch with the bundle by name and by set-hash prefix and call a
 * function of each extension.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { extensions, TestCache } from "../helpers/extensions.ts";

Deno.test("journey: load three extensions, save, export, import elsewhere, launch by name and hash", async () => {
  const ext = await extensions();
  using laptop = new TestCache();
  using runner = new TestCache();

  // The originals live in a directory of their own, deleted halfway.
  const originals = join(laptop.dir, "originals");
  Deno.mkdirSync(originals);
  const copies = [ext.vec9, ext.lines, ext.hello].map((f) => {
    const path = join(originals, f.file);
    Deno.copyFileSync(f.path, path);
    return path;
  });

  const explored = await laptop.script(
    copies.map((path) => `.load ${path}\n`).join("") +
      "select vec_version(), lines_version(), hello('laptop');\n" +
      ".bundle save team-set\n",
  );
  assert.equal(explored.stderr, "");
  assert.equal(explored.code, 0);
  assert.match(explored.stdout, /^v0\.1\.9\|v0\.2\.2\|hello, laptop\n/);
  assert.match(
    explored.stdout,
    /saved bundle "team-set": set [0-9a-f]{12} \(vec0, lines0, sqlinkhello\)/,
  );

  const archive = join(laptop.dir, "team-set.sqlink");
  const exported = await laptop.cli("cas", "export", "team-set", "-o", archive);
  assert.equal(exported.code, 0, exported.stderr);
  const setHash = String(
    ((await laptop.json("bundle", "show", "team-set")).bundle as { setHash: string }).setHash,
  );

  // Another machine: nothing but the archive.
  const imported = await runner.cli("cas", "import", archive);
  assert.equal(imported.code, 0, imported.stderr);
  Deno.removeSync(originals, { recursive: true });
  Deno.removeSync(laptop.root, { recursive: true });
  assert.deepEqual(runner.state().bundles, ["team-set"]);
  assert.equal(runner.state().artifacts.length, 3);

  const query = "select vec_version(), lines_version(), hello('runner'), sqlinkhello_version()";
  const expected = "v0.1.9|v0.2.2|hello, runner|sqlinkhello 1.0\n";
  const byName = await runner.shell(["--bundle", "team-set", ":memory:", query]);
  assert.equal(byName.stderr, "");
  assert.equal(byName.stdout, expected);
  assert.equal(byName.code, 0);

  const db = join(runner.dir, "work.db");
  const byHash = await runner.shell(["--bundle", setHash.slice(0, 6), db, query]);
  assert.equal(byHash.stderr, "");
  assert.equal(byHash.stdout, expected);
  assert.equal(byHash.code, 0);

  // What runs is the verified copy in the runner's own cache.
  const listed = await runner.shell(["--bundle", "team-set", ":memory:", ".extensions"]);
  assert.equal(listed.code, 0, listed.stderr);
  for (const f of [ext.vec9, ext.lines, ext.hello]) {
    assert.match(
      listed.stdout,
      new RegExp(`^${f.name}  blake3:${f.blake3.slice(0, 12)}  bundle:team-set$`, "m"),
    );
    assert.deepEqual(runner.materializedFiles(f.blake3), [`${f.name}.so`]);
  }
});
