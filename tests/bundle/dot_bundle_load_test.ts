/**
 * `.bundle load NAME` mid-session: a saved bundle's members load into the running shell and
 * every database opened after, as `--bundle-load` would at start; all or nothing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { extensions, TestCache } from "../helpers/extensions.ts";

Deno.test(".bundle load loads a saved bundle into the session and later databases", async () => {
  using cache = new TestCache();
  const { vec9, lines } = await extensions();
  const saved = await cache.cli("bundle", "save", "b2", vec9.path, lines.path);
  assert.equal(saved.code, 0, saved.stderr);
  const db = join(cache.dir, "later.db");
  const result = await cache.script(
    [
      ".bundle load b2",
      "select vec_version(), lines_version();",
      `.open ${db}`,
      "select vec_length('[1,2,3]');",
      ".bundle load b2",
      ".bundle load b2 --json",
      ".extensions",
    ].join("\n") + "\n",
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const lines_ = result.stdout.split("\n");
  assert.equal(lines_[0], 'loaded bundle "b2": vec0, lines0');
  assert.match(lines_[1], /^v0\.1\.9\|v0\.\d+\.\d+$/);
  assert.equal(lines_[2], "3");
  assert.equal(lines_[3], 'loaded bundle "b2": nothing new (already loaded: vec0, lines0)');
  assert.match(result.stdout, /"alreadyLoaded": \[\s*"vec0",\s*"lines0"\s*\]/);
  assert.match(result.stdout, /^vec0 +blake3:\w{12} +bundle:b2$/m);
});

Deno.test(".bundle load is all or nothing, and says what went wrong", async () => {
  using cache = new TestCache();
  const { vec9, vec6, lines } = await extensions();
  assert.equal((await cache.cli("bundle", "save", "b2", lines.path, vec9.path)).code, 0);
  // Another build of vec0 is loaded: the bundle's lines0 must not load either.
  const conflict = await cache.script(
    `.load ${vec6.path}\n.bundle load b2\nselect lines_version();\nselect vec_version();\n`,
  );
  assert.match(
    conflict.stderr,
    /^Error: Cannot load "vec0 \(bundle:b2\)": extension "vec0" is already loaded from a different build/m,
  );
  assert.match(conflict.stderr, /no such function: lines_version/);
  assert.match(conflict.stdout, /^v0\.1\.6$/m);

  const unknown = await cache.script(".bundle load nope\n");
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^Error: .*"nope"/m);

  const usage = await cache.script(".bundle load\n.bundle load a b\n.bundle load b2 --bogus\n");
  assert.match(usage.stderr, /^Usage: \.bundle load NAME\|HASH \[--json\]\n/);
  assert.match(usage.stderr, /unknown option --bogus for \.bundle load/);

  const help = await cache.script(".help bundle\n");
  assert.match(help.stdout, /^ {5}load NAME\|HASH +Load a saved bundle's members/m);
});
