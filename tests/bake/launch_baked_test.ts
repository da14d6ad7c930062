/**
 * `sqlink --bundle NAME` with a baked binary recorded (SPEC §6.4): it runs the binary for
 * this machine when it is intact, with the arguments passed through and its exit status
 * passed back; `--bundle-load` skips it, `--bundle-baked` insists on it. The binary is a
 * stand-in that runs the bundle's staged program, i.e. the baked program itself (see
 * tests/helpers/baked.ts): what ran is told by the origin `.extensions` shows,
 * `embedded:NAME` (the baked program) or `bundle:NAME` (loaded by this sqlink).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { assertNoStack, extensions, TestCache } from "../helpers/extensions.ts";
import { HOST_TARGET, recordStandIn, tamper } from "../helpers/baked.ts";

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The origin `.extensions` shows for vec0, or undefined. */
function vecOrigin(stdout: string): string | undefined {
  return /^vec0 {2}blake3:[0-9a-f]{12} {2}(\S+)$/m.exec(stdout)?.[1];
}

Deno.test("--bundle with a baked binary recorded", async (t) => {
  const ext = await extensions();
  using cache = new TestCache();
  const saved = await cache.script(
    `.load ${ext.vec9.path}\n.load ${ext.hello.path}\n.bundle save team\n` +
      `.load ${ext.lines.path}\n.bundle save unbuilt\n`,
  );
  assert.equal(saved.code, 0, saved.stderr);
  const standIn = recordStandIn(cache, "team");

  await t.step("runs the baked program: db file and SQL passed through", async () => {
    const db = join(cache.dir, "baked.db");
    const run = await cache.shell([
      "--bundle",
      "team",
      db,
      "create table t(v); insert into t values (vec_version())",
      "select vec_version(), hello('baked')",
      ".extensions",
    ]);
    assert.equal(run.stderr, "");
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^v0\.1\.9\|hello, baked\n/);
    assert.equal(vecOrigin(run.stdout), "embedded:team", run.stdout);
    assert.match(run.stdout, /^sqlinkhello {2}blake3:[0-9a-f]{12} {2}embedded:team$/m);
    const conn = new DatabaseSync(db);
    try {
      assert.deepEqual(conn.prepare("select v from t").all().map((r) => r.v), ["v0.1.9"]);
    } finally {
      conn.close();
    }
    const status = await cache.shell(["--bundle", "team", ":memory:", ".bundle"]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^embedded bundle: team$/m);
  });

  await t.step(
    "by set-hash prefix, with --bundle after the database, and --bundle-baked",
    async () => {
      for (
        const args of [
          ["--bundle", standIn.bundle.setHash.slice(0, 8), ":memory:", ".extensions"],
          [":memory:", "--bundle", "team", ".extensions"],
          ["--bundle-baked", "team", ":memory:", ".extensions"],
          ["--bundle", "team", "--bundle-baked", ":memory:", ".extensions"],
        ]
      ) {
        const run = await cache.shell(args);
        assert.equal(run.code, 0, `${args.join(" ")}: ${run.stderr}`);
        assert.equal(run.stderr, "");
        assert.equal(vecOrigin(run.stdout), "embedded:team", args.join(" "));
      }
    },
  );

  await t.step("options, several SQL arguments and a script on stdin pass through", async () => {
    const sql = ["select 1 as a, vec_version() as v", "select 2 as a, hello('x') as v"];
    const baked = await cache.shell(["--bundle", "team", "-csv", "-header", ":memory:", ...sql]);
    const loaded = await cache.shell([
      "--bundle-load",
      "team",
      "-csv",
      "-header",
      ":memory:",
      ...sql,
    ]);
    assert.equal(baked.code, 0, baked.stderr);
    // sqlite3's -csv option keeps "\n" between rows (".mode csv" would use "\r\n").
    assert.equal(baked.stdout, 'a,v\n1,v0.1.9\na,v\n2,"hello, x"\n');
    assert.equal(baked.stdout, loaded.stdout, "the same as a dynamic load");

    const script = await cache.shell(["--bundle", "team", "-json", ":memory:"], {
      stdin: "select hello('stdin') as h;\n.mode list\n.extensions\n",
    });
    assert.equal(script.stderr, "");
    assert.equal(script.code, 0);
    assert.match(script.stdout, /^\[\{"h":"hello, stdin"\}\]\n/);
    assert.equal(vecOrigin(script.stdout), "embedded:team");
  });

  await t.step("its exit status is passed back", async () => {
    const failing = await cache.shell(["--bundle", "team", ":memory:", "select nosuch()"]);
    const failingLoaded = await cache.shell([
      "--bundle-load",
      "team",
      ":memory:",
      "select nosuch()",
    ]);
    assert.equal(failing.code, failingLoaded.code);
    assert.notEqual(failing.code, 0);
    assert.match(failing.stderr, /no such function: nosuch/);
    assert.equal(failing.stderr, failingLoaded.stderr);

    const seven = await cache.shell(["--bundle", "team", ":memory:", "select 'bye'", ".exit 7"]);
    assert.equal(seven.code, 7, seven.stderr);
    assert.equal(seven.stdout, "bye\n");

    const bail = await cache.shell(["--bundle", "team", "-bail", ":memory:"], {
      stdin: "select 1;\nselect nosuch();\nselect 2;\n",
    });
    assert.equal(bail.code, 1, bail.stderr);
    assert.equal(bail.stdout, "1\n");
    assert.match(bail.stderr, /^Parse error near line 2: no such function: nosuch/m);
  });

  await t.step("--bundle-load skips the baked binary", async () => {
    const run = await cache.shell([
      "--bundle-load",
      "team",
      ":memory:",
      "select hello('l')",
      ".extensions",
    ]);
    assert.equal(run.stderr, "");
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^hello, l\n/);
    assert.equal(vecOrigin(run.stdout), "bundle:team");
    const flag = await cache.shell([
      "--bundle",
      "team",
      "--bundle-load",
      ":memory:",
      ".extensions",
    ]);
    assert.equal(flag.code, 0, flag.stderr);
    assert.equal(vecOrigin(flag.stdout), "bundle:team");
  });

  await t.step(
    "not built: --bundle loads the members, --bundle-baked is an error with a hint to bake",
    async () => {
      const auto = await cache.shell([
        "--bundle",
        "unbuilt",
        ":memory:",
        "select lines_version()",
        ".extensions",
      ]);
      assert.equal(auto.stderr, "", "no warning: there is nothing to warn about");
      assert.equal(auto.code, 0);
      assert.equal(vecOrigin(auto.stdout), "bundle:unbuilt");

      const baked = await cache.shell(["--bundle-baked", "unbuilt", ":memory:", "select 1"]);
      assert.equal(baked.code, 1, baked.stderr);
      assert.equal(baked.stdout, "");
      assert.match(
        baked.stderr,
        new RegExp(
          `^Error: Bundle "unbuilt" is not built for ${HOST_TARGET}: it has no baked binary$`,
          "m",
        ),
      );
      assert.match(
        baked.stderr,
        /^hint: Bake it with `sqlink --grant spawn-build bundle build unbuilt`.*--bundle-load unbuilt/m,
      );
      assertNoStack(baked);
    },
  );

  await t.step(
    "changed since it was built: --bundle warns once and loads; --bundle-baked refuses",
    async () => {
      tamper(standIn.path);
      const auto = await cache.shell([
        "--bundle",
        "team",
        ":memory:",
        "select hello('w')",
        ".extensions",
      ]);
      assert.equal(auto.code, 0, auto.stderr);
      assert.equal(
        auto.stderr,
        `Warning: The baked binary of bundle "team" is missing or changed since it was built: ${standIn.path}; loading its members instead\n`,
      );
      assert.match(auto.stdout, /^hello, w\n/);
      assert.equal(vecOrigin(auto.stdout), "bundle:team");

      const baked = await cache.shell(["--bundle-baked", "team", ":memory:", "select 1"]);
      assert.equal(baked.code, 1, baked.stderr);
      assert.equal(baked.stdout, "");
      assert.match(
        baked.stderr,
        new RegExp(
          `^Error: The baked binary of bundle "team" is missing or changed since it was built: ${
            escape(standIn.path)
          }$`,
          "m",
        ),
      );
      assert.match(
        baked.stderr,
        /^hint: Bake it again with `sqlink --grant spawn-build bundle build team`/m,
      );
      assertNoStack(baked);

      // Gone altogether: the same.
      Deno.removeSync(standIn.path);
      const gone = await cache.shell(["--bundle", "team", ":memory:", ".extensions"]);
      assert.equal(gone.code, 0, gone.stderr);
      assert.match(
        gone.stderr,
        /^Warning: The baked binary of bundle "team" is missing or changed/,
      );
      assert.equal(gone.stderr.split("\n").length, 2, gone.stderr);
      assert.equal(vecOrigin(gone.stdout), "bundle:team");
    },
  );
});
