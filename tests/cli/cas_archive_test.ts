/**
 * End-to-end tests of `sqlink cas export` / `sqlink cas import`: the real CLI as a
 * subprocess, a bundle of real extension binaries carried from one cache directory to
 * another, and every bad archive a user or an attacker can hand to import refused with one
 * `error:` line, a hint, exit 1, and the target cache byte-for-byte as it was.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import zlib from "node:zlib";
import { ensureFixtures } from "../../scripts/fixtures.ts";
import { type RunResult, runSqlink, tempDir } from "../helpers/cli.ts";
import { dumpDatabase, flipped, listDir, withDb } from "../cas/helpers.ts";

const fixtures = await ensureFixtures({ only: ["vec0@0.1.9", "lines0", "regex0", "path0"] });
const MEMBERS = [fixtures["vec0@0.1.9"], fixtures["lines0"], fixtures["regex0"]];

function cacheEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SQLINK_CACHE_DIR: dir,
    SQLINK_CAS: "",
    SQLINK_CAS_MAX_BYTES: "",
    SQLINK_SIGNING_KEY: "",
    ...extra,
  };
}

async function ok(args: string[], env: Record<string, string>): Promise<RunResult> {
  const result = await runSqlink(args, { env });
  assert.equal(result.code, 0, `sqlink ${args.join(" ")}: ${result.stderr}`);
  return result;
}

/** Assert the shape every refused import has: exit 1, one error, one hint, no stack. */
function assertRefused(result: RunResult, pattern: RegExp): void {
  assert.equal(result.code, 1, `exit code; stderr: ${result.stderr}`);
  assert.equal(result.stdout, "");
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 2, result.stderr);
  assert.match(lines[0], /^error: [A-Z]/);
  assert.ok(!lines[0].endsWith("."), "no trailing period");
  assert.match(lines[0], pattern);
  assert.match(lines[1], /^hint: \S/);
}

/** A source cache at `<dir>/src` holding bundle "ci" (vec0, lines0, regex0), saved by the CLI. */
async function sourceCache(dir: string): Promise<Record<string, string>> {
  const env = cacheEnv(join(dir, "src"));
  await ok(["bundle", "save", "ci", ...MEMBERS], env);
  return env;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Close every connection's leftovers: checkpoint the WAL into the file and remove it. */
function settle(casFile: string): void {
  const db = new DatabaseSync(casFile);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
}

/** The cache's file bytes and every row, for a before/after comparison. */
function cacheState(casFile: string): { file: string; rows: Record<string, unknown[]> } {
  return { file: sha256(Deno.readFileSync(casFile)), rows: dumpDatabase(casFile) };
}

function assertUnchanged(
  casFile: string,
  before: { file: string; rows: Record<string, unknown[]> },
  what: string,
): void {
  assert.equal(sha256(Deno.readFileSync(casFile)), before.file, `${what}: cas.sqlite changed`);
  let walSize = 0;
  try {
    walSize = Deno.statSync(casFile + "-wal").size;
  } catch {
    // No WAL at all: nothing was written.
  }
  assert.equal(walSize, 0, `${what}: the WAL holds writes`);
  assert.deepEqual(dumpDatabase(casFile), before.rows, `${what}: rows changed`);
}

Deno.test("cas export/import carry a bundle of real extensions to a fresh cache", async () => {
  using dir = tempDir();
  const src = await sourceCache(dir.path);
  const out = join(dir.path, "out");
  Deno.mkdirSync(out);
  const file = join(out, "ci.sqlink");

  const exported = JSON.parse(
    (await ok(["cas", "export", "ci", "-o", file, "--json"], src)).stdout,
  );
  assert.equal(exported.ok, true);
  assert.equal(exported.path, file);
  assert.equal(exported.bundle, "ci");
  assert.equal(exported.signed, false);
  assert.deepEqual(exported.members.map((m: { extensionName: string }) => m.extensionName), [
    "vec0",
    "lines0",
    "regex0",
  ]);
  assert.equal(exported.fileSize, Deno.statSync(file).size);
  assert.deepEqual(listDir(out), ["ci.sqlink"], "one self-contained file");
  const text = await ok(["cas", "export", exported.setHash.slice(0, 8), "-o", file], src);
  assert.match(
    text.stdout,
    /^exported bundle "ci" \(set [0-9a-f]{16}…, 3 members\) to .*, not signed\n/,
  );

  const dst = cacheEnv(join(dir.path, "dst"));
  const imported = JSON.parse((await ok(["cas", "import", file, "--json"], dst)).stdout);
  assert.equal(imported.created, true);
  assert.equal(imported.setHash, exported.setHash);
  assert.equal(imported.blobsAdded, 3);
  assert.equal(imported.blobsPresent, 0);
  assert.equal(imported.signature, "unsigned");

  const ls = JSON.parse((await ok(["cas", "ls", "--json"], dst)).stdout);
  assert.equal(ls.artifacts.length, 3);
  assert.ok(ls.artifacts.every((a: { pinned: boolean }) => a.pinned), "bundle members are pinned");
  assert.deepEqual(ls.artifacts.flatMap((a: { uris: string[] }) => a.uris).sort(), [
    "extension:lines0",
    "extension:regex0",
    "extension:vec0",
  ]);
  const shown = JSON.parse((await ok(["bundle", "show", "ci", "--json"], dst)).stdout).bundle;
  assert.equal(shown.setHash, exported.setHash);
  assert.deepEqual(
    shown.members.map((m: { extensionName: string; loadOrder: number }) => [
      m.extensionName,
      m.loadOrder,
    ]),
    [["vec0", 0], ["lines0", 1], ["regex0", 2]],
  );
  const launched = await ok(
    ["--bundle", "ci", ":memory:", "SELECT vec_version(), lines_version(), regex_version()"],
    dst,
  );
  assert.equal(launched.stdout, "v0.1.9|v0.2.2|v0.2.3\n");

  const again = await ok(["cas", "import", file], dst);
  assert.match(
    again.stdout,
    /^bundle "ci" already holds this set \(set [0-9a-f]{16}…, 3 members\): 0 blob\(s\) added, 3 already present\n/,
  );
});

Deno.test("cas export refuses a bundle whose blobs are gone, and without -o", async () => {
  using dir = tempDir();
  const src = await sourceCache(dir.path);
  const file = join(dir.path, "ci.sqlink");
  const lines0 = withDb(join(dir.path, "src", "cas.sqlite"), (db) => {
    const row = db.prepare(
      "SELECT content_hash FROM __cas_bundle_member WHERE extension_name = 'lines0'",
    ).get()!;
    db.prepare("DELETE FROM __cas_artifact WHERE blake3 = ?").run(row.content_hash);
    return String(row.content_hash);
  });
  const missing = await runSqlink(["cas", "export", "ci", "-o", file], { env: src });
  assertRefused(
    missing,
    new RegExp(
      `^error: Cannot export bundle "ci": this member is not in the cas-cache: lines0 \\(blake3 ${
        lines0.slice(0, 12)
      }…\\)$`,
    ),
  );
  assert.deepEqual(listDir(dir.path), ["src"], "no archive, no temporary file");

  const noOutput = await runSqlink(["cas", "export", "ci"], { env: src });
  assert.equal(noOutput.code, 2);
  assert.match(noOutput.stderr, /^error: cas export needs -o FILE/);
  const unknown = await runSqlink(["cas", "export", "nope", "-o", file], { env: src });
  assertRefused(unknown, /Cannot open bundle "nope": no bundle has that name or hash prefix/);
});

Deno.test("cas import refuses bad archives with one error and leaves the cache as it was", async () => {
  using dir = tempDir();
  const src = await sourceCache(dir.path);
  const good = join(dir.path, "ci.sqlink");
  const signed = join(dir.path, "signed.sqlink");
  await ok(["cas", "export", "ci", "-o", good], src);
  await ok(["cas", "export", "ci", "-o", signed], { ...src, SQLINK_SIGNING_KEY: "team secret" });

  // The target already holds something, including a different bundle called "ci".
  const dstDir = join(dir.path, "dst");
  const dst = cacheEnv(dstDir);
  await ok(["bundle", "save", "ci", fixtures["path0"]], dst);
  const casFile = join(dstDir, "cas.sqlite");
  settle(casFile);
  const before = cacheState(casFile);

  const variant = (name: string, change?: (db: DatabaseSync) => void, from = good) => {
    const path = join(dir.path, name);
    Deno.copyFileSync(from, path);
    if (change) withDb(path, change);
    return path;
  };
  const raw = (name: string, bytes: Uint8Array) => {
    const path = join(dir.path, name);
    Deno.writeFileSync(path, bytes);
    return path;
  };
  const blob = (db: DatabaseSync, member: string) =>
    db.prepare(
      `SELECT a.blake3, a.data FROM __cas_artifact a
       JOIN __cas_bundle_member m ON m.content_hash = a.blake3 WHERE m.extension_name = ?`,
    ).get(member)!;
  const setData = (db: DatabaseSync, blake3: unknown, data: Uint8Array) =>
    db.prepare("UPDATE __cas_artifact SET data = ? WHERE blake3 = ?").run(data, String(blake3));
  const goodBytes = Deno.readFileSync(good);
  const srcCas = join(dir.path, "src", "cas.sqlite");
  settle(srcCas);
  const cacheCopy = variant(
    "cache-copy.sqlite",
    (db) => db.exec("PRAGMA journal_mode = DELETE"),
    srcCas,
  );

  const cases: Array<[string, string, RegExp, Record<string, string>?]> = [
    [
      variant("raw-blob.sqlink", (db) => {
        const { blake3, data } = blob(db, "lines0");
        setData(db, blake3, flipped(data as Uint8Array, 9000));
      }),
      "a flipped byte in a raw blob",
      /the blob of member lines0 \(blake3 [0-9a-f]{12}…\) is corrupt: its bytes hash to/,
    ],
    [
      variant("zstd-decodes.sqlink", (db) => {
        const forged = flipped(Deno.readFileSync(fixtures["vec0@0.1.9"]), 31337);
        setData(db, blob(db, "vec0").blake3, zlib.zstdCompressSync(forged));
      }),
      "a zstd blob that decodes to other bytes",
      /the blob of member vec0 \(blake3 [0-9a-f]{12}…\) is corrupt: its bytes hash to/,
    ],
    [
      variant("zstd-broken.sqlink", (db) => {
        const { blake3, data } = blob(db, "vec0");
        const broken = (data as Uint8Array).slice();
        broken.fill(0x5a, 8, 4000);
        setData(db, blake3, broken);
      }),
      "a zstd blob that no longer decodes",
      /the blob of member vec0 \(blake3 [0-9a-f]{12}…\) is corrupt/,
    ],
    [
      raw("truncated.sqlink", goodBytes.subarray(0, goodBytes.length - 8192)),
      "a truncated file",
      /it is truncated: it holds \d+ bytes where its header says \d+$/,
    ],
    [
      raw("random.sqlink", crypto.getRandomValues(new Uint8Array(65536))),
      "random bytes",
      /it is not a SQLite database$/,
    ],
    [raw("empty.sqlink", new Uint8Array()), "an empty file", /: the file is empty$/],
    [srcCas, "a live cas-cache", /it is a SQLite database in WAL mode/],
    [cacheCopy, "a cas-cache copy", /it is a sqlink cas-cache, not a bundle archive$/],
    [
      withDb(join(dir.path, "plain.sqlite"), (db) => {
        db.exec("CREATE TABLE notes(x); INSERT INTO notes VALUES ('hello')");
        return join(dir.path, "plain.sqlite");
      }),
      "another database",
      /it is a SQLite database, but not a sqlink bundle archive$/,
    ],
    [
      variant("member-hash.sqlink", (db) => {
        db.exec(
          "UPDATE __cas_bundle_member SET content_hash = replace(content_hash, substr(content_hash, 1, 1), 'f') WHERE extension_name = 'regex0'",
        );
      }),
      "a member hash edited",
      /the set_hash of bundle "ci" \([0-9a-f]{16}…\) does not match its members/,
    ],
    [
      variant("newer.sqlink", (db) => {
        db.exec("UPDATE __cas_meta SET value = '7' WHERE key = 'archive_version'");
      }),
      "a newer archive version",
      /it was written by a newer sqlink \(archive version 7/,
    ],
    [
      good,
      "an unsigned archive while a key is set",
      /it is not signed, and SQLINK_SIGNING_KEY is set/,
      { SQLINK_SIGNING_KEY: "team secret" },
    ],
    [
      signed,
      "another key",
      /its signature does not match/,
      { SQLINK_SIGNING_KEY: "someone else" },
    ],
    [
      variant("edited.sqlink", (db) => {
        db.exec(
          "UPDATE __cas_bundle_member SET entry_point = 'sqlite3_evil_init' WHERE extension_name = 'vec0'",
        );
      }, signed),
      "a manifest edited after signing",
      /its signature does not match: it was changed after it was signed/,
      { SQLINK_SIGNING_KEY: "team secret" },
    ],
    [
      good,
      "a name that holds another set here",
      /Bundle "ci" already exists with a different set of extensions \(path0; set [0-9a-f]{12}…\)$/,
    ],
  ];
  for (const [file, what, pattern, env] of cases) {
    const result = await runSqlink(["cas", "import", file], { env: { ...dst, ...env } });
    try {
      assertRefused(result, pattern);
    } catch (err) {
      throw new Error(`${what}: ${(err as Error).message}`);
    }
    assertUnchanged(casFile, before, what);
  }

  const json = await runSqlink(["cas", "import", join(dir.path, "random.sqlink"), "--json"], {
    env: dst,
  });
  assert.equal(json.code, 1);
  assert.equal(JSON.parse(json.stdout).error.code, "ENOTARCHIVE");
  assertUnchanged(casFile, before, "--json");
});

Deno.test("cas import checks a signature when it has the key and says so when it has not", async () => {
  using dir = tempDir();
  const key = { SQLINK_SIGNING_KEY: "team secret" };
  const src = await sourceCache(dir.path);
  const file = join(dir.path, "ci.sqlink");
  const exported = await ok(["cas", "export", "ci", "-o", file], { ...src, ...key });
  assert.match(exported.stdout, /, signed\n/);

  const withKey = await ok(["cas", "import", file], { ...cacheEnv(join(dir.path, "a")), ...key });
  assert.match(withKey.stdout, /^imported bundle "ci" /);
  assert.match(withKey.stdout, /\nsignature verified with SQLINK_SIGNING_KEY\n$/);
  assert.equal(withKey.stderr, "");

  const withoutKey = await ok(["cas", "import", file, "--json"], cacheEnv(join(dir.path, "b")));
  assert.equal(JSON.parse(withoutKey.stdout).signature, "unchecked");
  assert.equal(
    withoutKey.stderr,
    "note: the archive is signed, but its signature was not checked: SQLINK_SIGNING_KEY is not set\n",
  );
});
