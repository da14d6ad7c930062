/**
 * The baked program (SPEC §7), run as its staged program under `deno run`: exactly what
 * `deno compile` would turn into the baked binary (see tests/helpers/baked.ts). On start it
 * materializes its embedded extensions under the cache root, verified against the hashes
 * the bundle recorded, and loads them into every connection; a damaged embedded blob is
 * refused. It can bake in turn, from the source snapshot it carries.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  assertNoStack,
  exists,
  extensions,
  type Fixture,
  TestCache,
} from "../helpers/extensions.ts";
import {
  binaryRows,
  canEmulateCompile,
  emulatedCompiler,
  HOST_TARGET,
  runCommand,
  stageProgram,
  tamper,
} from "../helpers/baked.ts";
import { binaryPath } from "../../lib/bake/binary.ts";
import { readSource, SNAPSHOT_FILE } from "../../lib/bake/source.ts";

/** `<root>/ext/<blake3>/<name>.so`, where a member is materialized. */
function materializedAt(root: string, f: Fixture): string {
  return join(root, "ext", f.blake3, `${f.name}.so`);
}

function sameBytes(a: string, b: string): boolean {
  const x = Deno.readFileSync(a);
  const y = Deno.readFileSync(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** The `.extensions` header line of a member. */
function extensionLine(f: Fixture, origin: string): RegExp {
  return new RegExp(`^${f.name}  blake3:${f.blake3.slice(0, 12)}  ${origin}$`, "m");
}

Deno.test("staged program: the baked program of vec0 + lines0 + sqlinkhello (alt entry)", async (t) => {
  const ext = await extensions();
  using cache = new TestCache();
  const members = [ext.vec9, ext.lines, ext.hello];
  const saved = await cache.script(
    `.load ${ext.vec9.path}\n.load ${ext.lines.path}\n` +
      `.load ${ext.hello.path} sqlinkhello_alt_init\n.bundle save trio\n`,
  );
  assert.equal(saved.code, 0, saved.stderr);
  const program = stageProgram(cache, "trio");
  const setHash = program.bundle.setHash;

  // Another machine: a cache root that has never seen these extensions (no cas-cache).
  const elsewhere = join(cache.dir, "elsewhere");

  await t.step("on another machine: each member works, listed as embedded:trio", async () => {
    const run = await program.shell([
      ":memory:",
      "select vec_version(), lines_version(), goodbye('there')",
      ".extensions",
    ], { root: elsewhere });
    assert.equal(run.stderr, "");
    assert.equal(run.code, 0);
    const [first, ...rest] = run.stdout.split("\n");
    assert.equal(first, "v0.1.9|v0.2.2|goodbye, there");
    const listed = rest.join("\n");
    for (const f of members) assert.match(listed, extensionLine(f, "embedded:trio"));
    assert.match(listed, /^ {2}entry point: sqlinkhello_alt_init$/m);
    assert.match(
      listed,
      /^ {2}functions: {3}goodbye \(1\)$/m,
      "the alt entry registers goodbye only",
    );
    assert.doesNotMatch(listed, /bundle:trio|file:\/\//);

    // Materialized under the cache root, byte for byte the members.
    for (const f of members) {
      const path = materializedAt(elsewhere, f);
      assert.ok(exists(path), `${path} is materialized`);
      assert.ok(sameBytes(path, f.path), `${path} holds ${f.file}`);
      assert.ok(exists(join(elsewhere, "ext", f.blake3, `.${f.name}.so.verified`)), "stamped");
    }
    // The entry point recorded in the bundle is the one used: hello() is not there.
    const hello = await program.shell([":memory:", "select hello('x')"], { root: elsewhere });
    assert.equal(hello.code, 1);
    assert.match(hello.stderr, /no such function: hello/);
  });

  await t.step(".bundle alone shows the embedded bundle", async () => {
    const run = await program.shell([":memory:", ".bundle"], { root: elsewhere });
    assert.equal(run.stderr, "");
    assert.equal(run.code, 0);
    assert.equal(
      run.stdout,
      `embedded bundle: trio\n` +
        `set hash:        ${setHash}\n` +
        `target:          ${HOST_TARGET}\n` +
        `members:         3 (embedded, in load order)\n` +
        `  1. vec0  blake3 ${ext.vec9.blake3.slice(0, 16)}  entry default\n` +
        `  2. lines0  blake3 ${ext.lines.blake3.slice(0, 16)}  entry default\n` +
        `  3. sqlinkhello  blake3 ${ext.hello.blake3.slice(0, 16)}  entry sqlinkhello_alt_init\n`,
    );
  });

  await t.step(
    "on a fresh machine it can save its embedded set: the blobs go into the cache",
    async () => {
      const root = join(cache.dir, "fresh-for-save");
      const run = await program.shell([":memory:", ".bundle save mine --no-build"], { root });
      assert.equal(run.stderr, "");
      assert.equal(run.code, 0);
      assert.match(run.stdout, new RegExp(`^saved bundle "mine": set ${setHash.slice(0, 12)}`));
      const listed = await program.run(["bundle", "show", "mine", "--json"], { root });
      assert.equal(listed.code, 0, listed.stderr);
      const shown = JSON.parse(listed.stdout).bundle;
      assert.deepEqual(
        shown.members.map((
          m: { contentHash: string; present: boolean },
        ) => [m.contentHash, m.present]),
        members.map((f) => [f.blake3, true]),
      );
    },
  );

  await t.step("a warm cache: the second start uses the verified copies as they are", async () => {
    const before = members.map((f) => Deno.statSync(materializedAt(elsewhere, f)));
    const run = await program.shell([":memory:", "select vec_version(), goodbye('again')"], {
      root: elsewhere,
    });
    assert.equal(run.stderr, "");
    assert.equal(run.stdout, "v0.1.9|goodbye, again\n");
    assert.equal(run.code, 0);
    const after = members.map((f) => Deno.statSync(materializedAt(elsewhere, f)));
    for (const [i, f] of members.entries()) {
      assert.equal(after[i].ino, before[i].ino, `${f.name} was not written again`);
      assert.equal(after[i].mtime?.getTime(), before[i].mtime?.getTime());
    }
  });

  await t.step("a file database argument, and .open later, get the extensions too", async () => {
    const db = join(cache.dir, "work.db");
    const other = join(cache.dir, "other.db");
    const run = await program.shell([db], {
      root: elsewhere,
      stdin: "create table t(v text, l text);\n" +
        "insert into t values (vec_version(), lines_version());\n" +
        `.open ${other}\n` +
        "create table u(g text);\ninsert into u values (goodbye('open'));\n" +
        "select vec_version(), lines_version(), goodbye('later');\n",
    });
    assert.equal(run.stderr, "");
    assert.equal(run.stdout, "v0.1.9|v0.2.2|goodbye, later\n");
    assert.equal(run.code, 0);
    const read = (path: string, query: string) => {
      const conn = new DatabaseSync(path);
      try {
        return conn.prepare(query).all().map((r) => Object.values(r).join("|"));
      } finally {
        conn.close();
      }
    };
    assert.deepEqual(read(db, "select v, l from t"), ["v0.1.9|v0.2.2"]);
    assert.deepEqual(read(other, "select g from u"), ["goodbye, open"]);
  });

  await t.step("--load of another extension still works beside the embedded set", async () => {
    const run = await program.shell(
      [
        "--load",
        ext.regex.path,
        ":memory:",
        "select regex_version(), vec_version()",
        ".extensions",
      ],
      { root: elsewhere },
    );
    assert.equal(run.stderr, "");
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^v0\.2\.3\|v0\.1\.9\n/);
    for (const f of members) assert.match(run.stdout, extensionLine(f, "embedded:trio"));
    assert.match(run.stdout, extensionLine(ext.regex, ext.regex.origin.replace(/[.]/g, "\\.")));
    // Listed in load order: the embedded set first.
    const order = [...run.stdout.matchAll(/^(\S+) {2}blake3:/gm)].map((m) => m[1]);
    assert.deepEqual(order, ["vec0", "lines0", "sqlinkhello", "regex0"]);
  });

  await t.step(
    "a damaged embedded blob is refused, on a fresh and on a warm cache root",
    async () => {
      const damaged = stageProgram(cache, "trio");
      tamper(join(damaged.dir, "members", "lines0.so"));
      const fresh = join(cache.dir, "fresh-for-damaged");
      const warmBefore = Deno.statSync(materializedAt(elsewhere, ext.lines));
      for (const root of [fresh, elsewhere]) {
        const run = await damaged.shell([":memory:", "select vec_version()", ".extensions"], {
          root,
        });
        assert.equal(run.code, 1, `${root}: ${run.stderr}`);
        assert.equal(run.stdout, "", "nothing ran");
        assert.match(
          run.stderr,
          /^Error: This baked sqlink is damaged: its embedded extension "lines0" hashes to [0-9a-f]{12}…, and bundle "trio" recorded [0-9a-f]{12}…$/m,
        );
        assert.match(run.stderr, /^hint: Nothing was loaded\. Bake bundle "trio" again/m);
        assert.equal(run.stderr.split("\n").filter((l) => l !== "").length, 2, run.stderr);
        assertNoStack(run);
      }
      // Nothing of the damaged member reached the fresh root; the warm copy is untouched.
      assert.ok(!exists(join(fresh, "ext", ext.lines.blake3)), "lines0 was not materialized");
      const warmAfter = Deno.statSync(materializedAt(elsewhere, ext.lines));
      assert.equal(warmAfter.ino, warmBefore.ino);
      assert.equal(warmAfter.mtime?.getTime(), warmBefore.mtime?.getTime());
      assert.ok(sameBytes(materializedAt(elsewhere, ext.lines), ext.lines.path));

      // A missing embedded file is refused the same way.
      const missing = stageProgram(cache, "trio");
      Deno.removeSync(join(missing.dir, "members", "sqlinkhello.so"));
      const gone = await missing.shell([":memory:", "select 1"], { root: fresh });
      assert.equal(gone.code, 1, gone.stderr);
      assert.equal(gone.stdout, "");
      assert.match(
        gone.stderr,
        /^Error: This baked sqlink is damaged: its embedded extension "sqlinkhello" cannot be read$/m,
      );
      assertNoStack(gone);
    },
  );

  await t.step({
    name: "it bakes in turn from its source.snapshot, not from the tree beside it",
    ignore: !canEmulateCompile(),
    fn: async () => {
      // A file in the staged tree that the snapshot does not hold: a nested build taken
      // from the tree would carry it.
      Deno.writeTextFileSync(join(program.dir, "lib", "zz_tree_only.ts"), "export const x = 1;\n");
      assert.ok(!readSource(program.dir).files.has("lib/zz_tree_only.ts"));
      assert.ok(readSource(program.dir).files.has("lib/bake/bake.ts"));

      using compiler = emulatedCompiler();
      const run = await program.run(
        ["--grant", "spawn-build", "bundle", "build", "trio", "--json"],
        { env: { SQLINK_DENO: compiler.deno } },
      );
      assert.equal(run.code, 0, run.stderr);
      const build = JSON.parse(run.stdout).build;
      const final = binaryPath(cache.root, setHash, HOST_TARGET);
      assert.equal(build.path, final);
      assert.equal(build.reused, false);

      const [call] = compiler.calls();
      assert.ok(call, "deno compile was run");
      assert.ok(call.stage.includes(SNAPSHOT_FILE), call.stage.join(" "));
      assert.ok(call.stage.includes("baked_main.ts"));
      assert.ok(call.stage.includes("members/vec0.so"));
      assert.ok(!call.stage.includes("lib/zz_tree_only.ts"), "the nested stage came from the tree");
      assert.equal(
        Deno.readTextFileSync(join(call.copy, SNAPSHOT_FILE)),
        Deno.readTextFileSync(join(program.dir, SNAPSHOT_FILE)),
        "the nested stage carries the same snapshot",
      );
      assert.deepEqual(binaryRows(cache), [{ name: "trio", target: HOST_TARGET, path: final }]);

      // And what it built is the baked program again.
      const nested = await runCommand(final, ["-init", "/dev/null", ":memory:", ".bundle"], {
        env: { ...cache.env, SQLINK_CACHE_DIR: join(cache.dir, "third-machine") },
      });
      assert.equal(nested.code, 0, nested.stderr);
      assert.match(nested.stdout, /^embedded bundle: trio$/m);
    },
  });
});
