/**
 * End-to-end tests of `sqlink cas …`: the real CLI as a subprocess on real files, for what
 * works and for every bad input a user will try (one `error:` line, one `hint:` line, a
 * non-zero exit, no stack trace, nothing damaged).
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { digestBytes } from "../../lib/cas/hash.ts";
import {
  collectRun,
  MAIN,
  PERMISSIONS,
  type RunResult,
  runSqlink,
  tempDir,
} from "../helpers/cli.ts";

function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) {
    crypto.getRandomValues(bytes.subarray(at, Math.min(n, at + 65536)));
  }
  return bytes;
}

/** Assert the shape every user error must have. */
function assertUserError(result: RunResult, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, `exit code; stderr: ${result.stderr}`);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.filter((l) => l.startsWith("error: ")).length, 1, result.stderr);
  assert.match(lines[0], /^error: [A-Z"-]/, "message starts with a capital");
  assert.ok(!/\.$/.test(lines[0]), "no trailing period");
  assert.match(result.stderr, pattern);
  assert.match(result.stderr, /^hint: /m, "a hint says what to do");
  assert.ok(!/^\s+at /m.test(result.stderr), "no stack trace");
}

function casEnv(dir: string): Record<string, string> {
  return { SQLINK_CACHE_DIR: join(dir, "cache"), SQLINK_CAS: "", SQLINK_CAS_MAX_BYTES: "" };
}

Deno.test("put stores a file once, get returns it byte-exact by hash, prefix, sha256 and URI", async () => {
  using dir = tempDir();
  const env = casEnv(dir.path);
  const bytes = randomBytes(3 * 1024 * 1024 + 17);
  const file = join(dir.path, "blob.bin");
  Deno.writeFileSync(file, bytes);
  const { blake3, sha256 } = digestBytes(bytes);

  const first = await runSqlink(["cas", "put", file, "--uri", "test:blob", "--json"], { env });
  assert.equal(first.code, 0, first.stderr);
  const put = JSON.parse(first.stdout);
  assert.equal(put.results[0].blake3, blake3);
  assert.equal(put.results[0].sha256, sha256);
  assert.equal(put.results[0].created, true);

  const again = await runSqlink(["cas", "put", file], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`^${blake3}  present`));

  for (const ref of ["test:blob", blake3, blake3.slice(0, 8), `sha256:${sha256}`, sha256]) {
    const out = join(dir.path, `out-${ref.length}-${ref.slice(0, 4)}`);
    const got = await runSqlink(["cas", "get", ref, "-o", out], { env });
    assert.equal(got.code, 0, `${ref}: ${got.stderr}`);
    assert.deepEqual(Deno.readFileSync(out), bytes, ref);
  }
  const piped = await runSqlink(["cas", "get", blake3], { env });
  assert.equal(piped.code, 0, piped.stderr);
  assert.deepEqual(piped.stdoutBytes, bytes);

  const db = new DatabaseSync(join(dir.path, "cache", "cas.sqlite"));
  assert.equal(db.prepare("SELECT count(*) AS n FROM __cas_artifact").get()!.n, 1);
  db.close();
  assert.equal(Deno.statSync(join(dir.path, "cache")).mode! & 0o777, 0o700);
});

Deno.test("ls sorts and pages, stats counts, uri set rebinds and rm removes", async () => {
  using dir = tempDir();
  const env = casEnv(dir.path);
  const files = [10, 3000, 200].map((size, i) => {
    const path = join(dir.path, `f${i}`);
    Deno.writeFileSync(path, randomBytes(size));
    return path;
  });
  assert.equal((await runSqlink(["cas", "put", ...files], { env })).code, 0);

  const bySize = JSON.parse(
    (await runSqlink(["cas", "ls", "--sort", "size", "--desc", "--json"], { env })).stdout,
  );
  assert.deepEqual(bySize.artifacts.map((a: { size: number }) => a.size), [3000, 200, 10]);
  const page = JSON.parse(
    (await runSqlink(["cas", "ls", "--sort", "size", "--limit", "1", "--offset", "1", "--json"], {
      env,
    })).stdout,
  );
  assert.deepEqual(page.artifacts.map((a: { size: number }) => a.size), [200]);
  const text = await runSqlink(["cas", "ls"], { env });
  assert.match(text.stdout, /^BLAKE3\s+SIZE\s+STORED/);

  const [a, b] = bySize.artifacts.map((x: { blake3: string }) => x.blake3);
  const set1 = JSON.parse(
    (await runSqlink(["cas", "uri", "set", "extension:x", a, "--json"], { env })).stdout,
  );
  assert.equal(set1.previous, null);
  const set2 = await runSqlink(["cas", "uri", "set", "extension:x", b], { env });
  assert.equal(set2.code, 0, set2.stderr);
  assert.match(set2.stdout, new RegExp(`extension:x -> ${b} \\(was ${a}\\)`));
  const uris = JSON.parse((await runSqlink(["cas", "uri", "ls", "--json"], { env })).stdout);
  assert.deepEqual(uris.uris.map((u: { uri: string; blake3: string }) => [u.uri, u.blake3]), [[
    "extension:x",
    b,
  ]]);

  const stats = JSON.parse((await runSqlink(["cas", "stats", "--json"], { env })).stdout);
  assert.equal(stats.artifacts, 3);
  assert.equal(stats.uris, 1);
  assert.equal(stats.rawBytes, 3210);
  assert.equal(stats.schemaVersion, 6);
  assert.equal(stats.maxBytes, 1024 ** 3);

  assert.equal((await runSqlink(["cas", "uri", "rm", "extension:x"], { env })).code, 0);
  assertUserError(
    await runSqlink(["cas", "uri", "rm", "extension:x"], { env }),
    1,
    /No artifact is bound/,
  );
});

Deno.test("bad input to put is one clear error and changes nothing", async () => {
  using dir = tempDir();
  const env = casEnv(dir.path);
  const good = join(dir.path, "good");
  Deno.writeFileSync(good, randomBytes(100));
  const unreadable = join(dir.path, "unreadable");
  Deno.writeFileSync(unreadable, randomBytes(100));
  Deno.chmodSync(unreadable, 0o000);

  assertUserError(
    await runSqlink(["cas", "put", join(dir.path, "missing")], { env }),
    1,
    /no such file/,
  );
  assertUserError(await runSqlink(["cas", "put", dir.path], { env }), 1, /is a directory/);
  assertUserError(
    await runSqlink(["cas", "put", unreadable], { env, unprivileged: true }),
    1,
    /permission denied/,
  );
  assertUserError(
    await runSqlink(["cas", "put", good, "--bogus"], { env }),
    2,
    /Unknown option "--bogus"/,
  );
  assertUserError(await runSqlink(["cas", "put"], { env }), 2, /arguments/);
  assertUserError(
    await runSqlink(["cas", "put", good, good, "--uri", "a:b"], { env }),
    2,
    /one artifact/,
  );
  assertUserError(
    await runSqlink(["cas", "put", good, "--uri", "nocolon"], { env }),
    2,
    /is not a URI/,
  );
  assertUserError(await runSqlink(["cas", "put", good, "--uri"], { env }), 2, /uri/);
  assertUserError(
    await runSqlink(["cas", "frobnicate"], { env }),
    2,
    /Unknown argument "frobnicate"/,
  );

  const stats = JSON.parse((await runSqlink(["cas", "stats", "--json"], { env })).stdout);
  assert.equal(stats.artifacts, 0);
});

Deno.test("a read-only cache directory is a clear error and nothing is written", async () => {
  using dir = tempDir();
  const cache = join(dir.path, "cache");
  Deno.mkdirSync(cache, { mode: 0o500 });
  Deno.chmodSync(cache, 0o500);
  const file = join(dir.path, "f");
  Deno.writeFileSync(file, randomBytes(64));
  const result = await runSqlink(["cas", "put", file], {
    env: { SQLINK_CACHE_DIR: cache, SQLINK_CAS: "" },
    unprivileged: true,
  });
  assertUserError(result, 1, /cas-cache/);
  assert.deepEqual([...Deno.readDirSync(cache)], []);
});

Deno.test("get refuses malformed, unknown and ambiguous names, and bad destinations", async () => {
  using dir = tempDir();
  const env = casEnv(dir.path);
  const file = join(dir.path, "f");
  Deno.writeFileSync(file, randomBytes(64));
  const { blake3 } =
    JSON.parse((await runSqlink(["cas", "put", file, "--json"], { env })).stdout).results[0];

  assertUserError(
    await runSqlink(["cas", "get", "xyz!", "-o", "x"], { env }),
    2,
    /is not a hash or a URI/,
  );
  assertUserError(
    await runSqlink(["cas", "get", "abc", "-o", "x"], { env }),
    2,
    /is not a hash or a URI/,
  );
  assertUserError(
    await runSqlink(["cas", "get", "0".repeat(64), "-o", "x"], { env }),
    1,
    /No artifact/,
  );
  assertUserError(
    await runSqlink(["cas", "get", "extension:nope", "-o", "x"], { env }),
    1,
    /No artifact is bound/,
  );
  const missingDir = join(dir.path, "no", "such", "dir", "out");
  assertUserError(
    await runSqlink(["cas", "get", blake3, "-o", missingDir], { env }),
    1,
    /Cannot write/,
  );
  assertUserError(await runSqlink(["cas", "get", blake3, "--json"], { env }), 2, /needs -o FILE/);
  assertUserError(await runSqlink(["cas", "get"], { env }), 2, /arguments/);
});

Deno.test("a flipped byte is refused by get, reported by verify and removed by --repair", async () => {
  using dir = tempDir();
  const env = casEnv(dir.path);
  const small = join(dir.path, "small");
  const big = join(dir.path, "big");
  Deno.writeFileSync(small, randomBytes(5000));
  Deno.writeFileSync(big, randomBytes(2 * 1024 * 1024 + 5));
  const put = JSON.parse((await runSqlink(["cas", "put", small, big, "--json"], { env })).stdout);
  const [s, b] = put.results.map((r: { blake3: string }) => r.blake3);

  const db = new DatabaseSync(join(dir.path, "cache", "cas.sqlite"));
  // Each flip changes the byte whatever it was (random data: setting a value could keep it).
  const flip = (table: string, where: string, at: number, key: string) => {
    const row = db.prepare(`SELECT data FROM ${table} WHERE ${where}`).get(key) as {
      data: Uint8Array;
    };
    const data = row.data.slice();
    data[at] ^= 0xff;
    db.prepare(`UPDATE ${table} SET data = ? WHERE ${where}`).run(data, key);
  };
  flip("__cas_artifact", "blake3 = ?", 99, s);
  flip("__cas_chunk", "blake3 = ? AND seq = 1", 0, b);
  db.close();

  for (const hash of [s, b]) {
    const out = join(dir.path, `out-${hash}`);
    const got = await runSqlink(["cas", "get", hash, "-o", out], { env });
    assertUserError(got, 1, new RegExp(`Artifact ${hash} is corrupt`));
    assert.throws(() => Deno.statSync(out), "no file is left behind");
    const piped = await runSqlink(["cas", "get", hash], { env });
    assert.equal(piped.code, 1);
    assert.equal(piped.stdoutBytes.length, 0, "nothing unverified reaches stdout");
  }
  assert.deepEqual([...Deno.readDirSync(dir.path)].filter((e) => e.name.endsWith(".tmp")), []);

  const verify = await runSqlink(["cas", "verify"], { env });
  assert.equal(verify.code, 1);
  assert.match(verify.stdout, new RegExp(`corrupt  ${s}`));
  assert.match(verify.stdout, new RegExp(`corrupt  ${b}`));
  const repaired = JSON.parse(
    (await runSqlink(["cas", "verify", "--repair", "--json"], { env })).stdout,
  );
  assert.equal(repaired.repaired, true);
  assert.equal(repaired.corrupt.length, 2);
  const clean = await runSqlink(["cas", "verify"], { env });
  assert.equal(clean.code, 0, clean.stdout);
  assert.match(
    clean.stdout,
    /checked 0 artifact\(s\), 0 materialized copies and 0 baked binaries: all intact/,
  );
});

Deno.test("gc evicts least recently used first, keeps pinned blobs and says when they exceed the cap", async () => {
  using dir = tempDir();
  const env = casEnv(dir.path);
  const files = [0, 1, 2].map((i) => {
    const path = join(dir.path, `f${i}`);
    Deno.writeFileSync(path, randomBytes(10_000));
    return path;
  });
  const hashes: string[] = [];
  for (const file of files) {
    hashes.push(
      JSON.parse((await runSqlink(["cas", "put", file, "--json"], { env })).stdout).results[0]
        .blake3,
    );
    await new Promise((r) => setTimeout(r, 5));
  }
  // Uses are recorded to the hour: with the puts' uses moved hours back (in their order),
  // using the oldest again makes the middle one the least recently used.
  const cas = new DatabaseSync(join(dir.path, "cache", "cas.sqlite"));
  cas.exec(`UPDATE __cas_artifact SET last_used_at = last_used_at - 7200000`);
  cas.close();
  assert.equal(
    (await runSqlink(["cas", "get", hashes[0], "-o", join(dir.path, "o")], { env })).code,
    0,
  );

  const gc = JSON.parse(
    (await runSqlink(["cas", "gc", "--max-bytes", "25000", "--json"], { env })).stdout,
  );
  assert.deepEqual(gc.evicted.map((e: { blake3: string }) => e.blake3), [hashes[1]]);

  const db = new DatabaseSync(join(dir.path, "cache", "cas.sqlite"));
  db.exec(
    `INSERT INTO __cas_bundle(id, name, set_hash, created_at, last_used_at) VALUES (1, 'b', 'x', 0, 0)`,
  );
  db.prepare(
    `INSERT INTO __cas_bundle_member(bundle_id, extension_name, content_hash) VALUES (1, 'a', ?), (1, 'c', ?)`,
  )
    .run(hashes[0], hashes[2]);
  db.close();
  const pinned = await runSqlink(["cas", "gc", "--max-bytes", "1k"], { env });
  assert.equal(pinned.code, 0, pinned.stderr);
  assert.match(pinned.stdout, /evicted 0 artifact/);
  assert.match(pinned.stderr, /warning: .*bundles pin 19\.5 KiB, more than the cap of 1\.0 KiB/);

  assertUserError(
    await runSqlink(["cas", "gc", "--max-bytes", "lots"], { env }),
    2,
    /Invalid --max-bytes/,
  );
});

Deno.test("SQLINK_CAS, --cas and SQLINK_CAS_MAX_BYTES are honoured", async () => {
  using dir = tempDir();
  const file = join(dir.path, "f");
  Deno.writeFileSync(file, randomBytes(4000));
  const viaEnv = join(dir.path, "env.sqlite");
  const viaFlag = join(dir.path, "flag.sqlite");
  const env = { ...casEnv(dir.path), SQLINK_CAS: viaEnv };
  assert.equal((await runSqlink(["cas", "put", file], { env })).code, 0);
  assert.equal((await runSqlink(["cas", "put", file, "--cas", viaFlag], { env })).code, 0);
  assert.ok(Deno.statSync(viaEnv).isFile);
  assert.ok(Deno.statSync(viaFlag).isFile);
  assert.throws(() => Deno.statSync(join(dir.path, "cache", "cas.sqlite")));

  const other = join(dir.path, "g");
  Deno.writeFileSync(other, randomBytes(4000));
  const capped = await runSqlink(["cas", "put", other, "--json"], {
    env: { ...env, SQLINK_CAS_MAX_BYTES: "5000" },
  });
  assert.equal(capped.code, 0, capped.stderr);
  assert.equal(JSON.parse(capped.stdout).eviction.evicted.length, 1);
  assertUserError(
    await runSqlink(["cas", "stats"], { env: { ...env, SQLINK_CAS_MAX_BYTES: "huge" } }),
    2,
    /SQLINK_CAS_MAX_BYTES/,
  );
});

Deno.test("every numeric option and SQLINK_CAS_MAX_BYTES take whole numbers within 2^53-1, else exit 2", async () => {
  using dir = tempDir();
  const env = casEnv(dir.path);
  const file = join(dir.path, "f");
  Deno.writeFileSync(file, randomBytes(3000));
  assert.equal((await runSqlink(["cas", "put", file], { env })).code, 0);

  // yargs's number type read "1e99" as 1e+99 (SQLite then failed: "datatype mismatch", exit
  // 1), "0x10" as 16 and "" as 0; each is a mistake in how the command was called.
  const counts = [
    "1e99",
    "-1",
    "1.5",
    "NaN",
    "Infinity",
    "0x10",
    "",
    "abc",
    " 5",
    "9007199254740992",
  ];
  for (
    const [flag, values] of [["--limit", counts], ["--offset", ["1e99", "-1", "0x10"]]] as const
  ) {
    for (const value of values) {
      const result = await runSqlink(["cas", "ls", `${flag}=${value}`], { env });
      assertUserError(
        result,
        2,
        new RegExp(
          `^error: Invalid ${flag} "${
            RegExp.escape(value)
          }": expected a whole number from 0 to 9007199254740991\n`,
        ),
      );
      assert.equal(result.stdout, "");
    }
  }
  const twice = await runSqlink(["cas", "ls", "--limit", "1", "--limit", "2"], { env });
  assertUserError(twice, 2, /^error: Too many values for --limit: 1, 2\n/);
  const json = await runSqlink(["cas", "ls", "--offset", "1e99", "--json"], { env });
  assert.equal(json.code, 2);
  assert.equal(JSON.parse(json.stdout).error.code, "EUSAGE");
  const widest = await runSqlink(
    ["cas", "ls", "--limit", "9007199254740991", "--offset", "0", "--json"],
    { env },
  );
  assert.equal(widest.code, 0, widest.stderr);
  assert.equal(JSON.parse(widest.stdout).artifacts.length, 1);

  // Sizes: past 2^53-1 bytes (after the unit) a double no longer holds the number typed.
  for (const value of ["18446744073709551616", "9007199254740992", "8192TiB", "1e3", "1.5", "-1"]) {
    assertUserError(
      await runSqlink(["cas", "gc", "--max-bytes", value], { env }),
      2,
      new RegExp(`^error: Invalid --max-bytes "${RegExp.escape(value)}": expected `),
    );
  }
  for (const value of ["18446744073709551616", "8192TiB", "1e99", "-5"]) {
    const result = await runSqlink(["cas", "stats"], {
      env: { ...env, SQLINK_CAS_MAX_BYTES: value },
    });
    assertUserError(
      result,
      2,
      new RegExp(`^error: Invalid SQLINK_CAS_MAX_BYTES "${RegExp.escape(value)}"`),
    );
    assert.match(result.stderr, /^hint: Set SQLINK_CAS_MAX_BYTES to .* or unset it/m);
  }
  const largest = await runSqlink(["cas", "stats", "--json"], {
    env: { ...env, SQLINK_CAS_MAX_BYTES: "9007199254740991" },
  });
  assert.equal(largest.code, 0, largest.stderr);
  assert.equal(JSON.parse(largest.stdout).maxBytes, Number.MAX_SAFE_INTEGER);
  // Nothing was evicted by any refused gc.
  assert.equal(
    JSON.parse((await runSqlink(["cas", "stats", "--json"], { env })).stdout).artifacts,
    1,
  );
});

Deno.test("--cas PATH and --json work before the command word as after it, with --grant too", async () => {
  using dir = tempDir();
  const env = casEnv(dir.path);
  const file = join(dir.path, "f");
  Deno.writeFileSync(file, randomBytes(2000));
  const cas = join(dir.path, "ci.sqlite");
  const blake3 = digestBytes(Deno.readFileSync(file)).blake3;
  assert.equal((await runSqlink(["--cas", cas, "cas", "put", file], { env })).code, 0);
  for (
    const args of [
      ["--cas", cas, "cas", "ls", "--json"],
      [`--cas=${cas}`, "cas", "ls", "--json"],
      ["cas", "--cas", cas, "ls", "--json"],
      ["cas", "ls", "--cas", cas, "--json"],
      ["--json", "--cas", cas, "cas", "ls"],
      ["--cas", cas, "--json", "cas", "ls"],
      ["--grant", "spawn-build", "--cas", cas, "cas", "ls", "--json"],
      ["--cas", cas, "--grant=spawn-build", "--json", "cas", "ls"],
    ]
  ) {
    const result = await runSqlink(args, { env });
    assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
    assert.deepEqual(
      JSON.parse(result.stdout).artifacts.map((a: { blake3: string }) => a.blake3),
      [blake3],
      args.join(" "),
    );
  }
  const bundles = await runSqlink(["--cas", cas, "bundle", "list", "--json"], { env });
  assert.equal(bundles.code, 0, bundles.stderr);
  assert.throws(() => Deno.statSync(join(dir.path, "cache", "cas.sqlite")));

  // A usage error names the command after the leading options.
  assertUserError(
    await runSqlink(["--cas", cas, "cas", "ls", "--bogus"], { env }),
    2,
    /^hint: Run "sqlink cas ls --help" for usage$/m,
  );
  // With no script command after them, the options are the shell's, as before: sqlite3's
  // command line has no --cas.
  for (const args of [["--cas", cas], ["--cas", cas, ":memory:", "select 1"]]) {
    const shell = await runSqlink(args, { env });
    assert.equal(shell.code, 1);
    assert.equal(
      shell.stderr,
      "sqlink: Error: unknown option: -cas\nUse -help for a list of options.\n",
    );
  }
  const json = await runSqlink(["--json", ":memory:", "select 1 as x"], { env });
  assert.equal(json.stdout, '[{"x":1}]\n', json.stderr);
});

Deno.test("a cas-cache that is a text file, a newer schema or another app's database is refused untouched", async () => {
  using dir = tempDir();
  const text = join(dir.path, "notes.txt");
  Deno.writeTextFileSync(text, "these are my notes, not a database\n".repeat(10));
  const newer = join(dir.path, "newer.sqlite");
  const db = new DatabaseSync(newer);
  db.exec(`CREATE TABLE __cas_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
           INSERT INTO __cas_meta VALUES ('schema_version', '9')`);
  db.close();
  const app = join(dir.path, "app.sqlite");
  const appDb = new DatabaseSync(app);
  appDb.exec(
    `CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users(name) VALUES ('ada')`,
  );
  appDb.close();

  for (
    const [path, pattern] of [
      [text, /not a SQLite database/],
      [newer, /schema version 9 is newer/],
      [app, /not a sqlink cas-cache/],
    ] as const
  ) {
    const before = Deno.readFileSync(path);
    assertUserError(
      await runSqlink(["cas", "ls", "--cas", path], { env: casEnv(dir.path) }),
      1,
      pattern,
    );
    assert.deepEqual(Deno.readFileSync(path), before);
    assert.throws(() => Deno.statSync(path + "-wal"));
  }
  assertUserError(
    await runSqlink(["cas", "ls", "--cas", dir.path], { env: casEnv(dir.path) }),
    1,
    /is a directory/,
  );
});

Deno.test("a cas-cache without a version row is refused untouched; only new, empty files are initialised", async () => {
  using dir = tempDir();
  const sha256 = (path: string) => digestBytes(Deno.readFileSync(path)).sha256;
  const make = (name: string, sql: string, wal = false) => {
    const path = join(dir.path, name);
    const db = new DatabaseSync(path);
    if (wal) db.exec("PRAGMA journal_mode = WAL");
    db.exec(sql);
    db.close();
    return path;
  };
  const v1 = `CREATE TABLE __cas_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE __cas_artifact(blake3 TEXT PRIMARY KEY, sha256 TEXT NOT NULL,
      size INTEGER NOT NULL, data BLOB, created_at INTEGER NOT NULL)`;
  const refused: Array<[string, RegExp]> = [
    [make("app.sqlite", "CREATE TABLE users(id INTEGER PRIMARY KEY)"), /another program's tables/],
    [
      make("no-meta.sqlite", "CREATE TABLE __cas_artifact(blake3 TEXT PRIMARY KEY)", true),
      /cas-cache tables, but no __cas_meta table/,
    ],
    [make("no-row.sqlite", v1), /its __cas_meta table has no schema_version row/],
    [
      make("no-row-wal.sqlite", `${v1}; INSERT INTO __cas_meta VALUES ('other', '1')`, true),
      /no schema_version row/,
    ],
    [
      make("text.sqlite", `${v1}; INSERT INTO __cas_meta VALUES ('schema_version', 'two')`),
      /its schema version "two" is not a version number/,
    ],
    [
      make("empty.sqlite", `${v1}; INSERT INTO __cas_meta VALUES ('schema_version', '')`),
      /its schema version "" is not a version number/,
    ],
  ];
  const file = join(dir.path, "blob.bin");
  Deno.writeFileSync(file, randomBytes(100));
  for (const [path, pattern] of refused) {
    const before = sha256(path);
    const names = [...Deno.readDirSync(dir.path)].map((e) => e.name).sort();
    for (const args of [["cas", "ls"], ["cas", "put", file]]) {
      const result = await runSqlink([...args, "--cas", path], { env: casEnv(dir.path) });
      assertUserError(result, 1, pattern);
      assert.match(result.stderr, /^error: Cannot open the cas-cache "/);
      assert.equal(sha256(path), before, `${path} changed`);
      assert.deepEqual(
        [...Deno.readDirSync(dir.path)].map((e) => e.name).sort(),
        names,
        `${path}: a -wal, -shm or -journal was left`,
      );
    }
  }

  // New, empty files: none at all, zero bytes, and a SQLite file that holds no tables.
  const zero = join(dir.path, "zero.sqlite");
  Deno.writeFileSync(zero, new Uint8Array(0));
  const noTables = make("no-tables.sqlite", "CREATE TABLE t(x); DROP TABLE t");
  for (const path of [join(dir.path, "new", "cas.sqlite"), zero, noTables]) {
    const put = await runSqlink(["cas", "put", file, "--cas", path, "--json"], {
      env: casEnv(dir.path),
    });
    assert.equal(put.code, 0, `${path}: ${put.stderr}`);
    assert.equal(JSON.parse(put.stdout).results[0].created, true);
  }
});

Deno.test({
  name: "the cache is 0600 under umask 022, and a folder others can write to is refused",
  ignore: Deno.build.os === "windows",
  async fn() {
    using dir = tempDir();
    const file = join(dir.path, "f");
    Deno.writeFileSync(file, randomBytes(5000));
    const mode = (path: string) => Deno.statSync(path).mode! & 0o7777;

    // A shell with the usual umask creates the cache: still 0600 inside a 0700 folder.
    const cache = join(dir.path, "cache");
    const withUmask = new Deno.Command("sh", {
      args: [
        "-c",
        'umask 022 && exec "$@"',
        "sh",
        Deno.execPath(),
        "run",
        "--quiet",
        ...PERMISSIONS,
        MAIN,
        "cas",
        "put",
        file,
      ],
      env: { NO_COLOR: "1", ...casEnv(dir.path) },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
    const put = await collectRun(withUmask);
    assert.equal(put.code, 0, put.stderr);
    assert.equal(mode(cache), 0o700);
    assert.equal(mode(join(cache, "cas.sqlite")), 0o600);

    // The cache folder, the cache root's ext/, or a sticky folder like /tmp: each refused.
    const sticky = join(dir.path, "sticky");
    Deno.mkdirSync(sticky);
    Deno.chmodSync(sticky, 0o1777);
    const cases: Array<[string, string[], Record<string, string>]> = [
      [cache, ["cas", "ls"], casEnv(dir.path)],
      [
        join(cache, "ext"),
        ["cas", "ls", "--cas", join(dir.path, "elsewhere.sqlite")],
        casEnv(dir.path),
      ],
      [sticky, ["cas", "put", file, "--cas", join(sticky, "cas.sqlite")], casEnv(dir.path)],
    ];
    Deno.mkdirSync(join(cache, "ext"), { mode: 0o700 });
    for (const [folder, args, env] of cases) {
      const before = [...Deno.readDirSync(folder)].map((e) => e.name).sort();
      const oldMode = mode(folder);
      if (folder !== sticky) Deno.chmodSync(folder, 0o777);
      const result = await runSqlink(args, { env });
      assertUserError(result, 1, new RegExp(`Refusing to use the folder "${folder}": `));
      assert.match(
        result.stderr,
        new RegExp(`^hint: Make it yours alone with \`chmod 700 ${folder}\``, "m"),
      );
      assert.deepEqual([...Deno.readDirSync(folder)].map((e) => e.name).sort(), before);
      if (folder !== sticky) Deno.chmodSync(folder, oldMode);
    }
    const tmp = "/tmp";
    if ((mode(tmp) & 0o1777) === 0o1777) {
      const path = join(tmp, `sqlink-refused-${crypto.randomUUID()}.sqlite`);
      assertUserError(
        await runSqlink(["cas", "ls", "--cas", path], { env: casEnv(dir.path) }),
        1,
        /Refusing to use the folder "\/tmp"/,
      );
      assert.throws(() => Deno.statSync(path), Deno.errors.NotFound);
    }
    // Once private again, the cache opens as before.
    assert.equal((await runSqlink(["cas", "ls"], { env: casEnv(dir.path) })).code, 0);
  },
});

Deno.test("help and completion", async () => {
  const help = await runSqlink(["cas", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /sqlink cas put <files\.\.>/);
  const putHelp = await runSqlink(["cas", "put", "--help"]);
  assert.equal(putHelp.code, 0);
  assert.match(putHelp.stdout, /--uri/);
  const completion = await runSqlink(["completion"]);
  assert.equal(completion.code, 0);
  assert.match(completion.stdout, /sqlink/);
  const top = await runSqlink(["--help"]);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /sqlink cas/);
});
