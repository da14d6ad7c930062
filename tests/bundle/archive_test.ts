/**
 * Bundle archives at the library level (lib/bundle/archive.ts): a bundle of real extension
 * binaries goes out to one file and back into a fresh cache intact; every way the file can
 * be damaged, forged or mismatched is refused with the cache left exactly as it was.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import zlib from "node:zlib";
import type { DatabaseSync } from "node:sqlite";
import { ensureFixtures } from "../../scripts/fixtures.ts";
import { ARCHIVE_FORMAT } from "../../lib/bundle/archive/format.ts";
import { exportBundle } from "../../lib/bundle/archive/export.ts";
import { importArchive, readArchive } from "../../lib/bundle/archive/import.ts";
import { findBundle, type NewMember, saveBundle } from "../../lib/bundle/registry.ts";
import { setHash } from "../../lib/bundle/set_hash.ts";
import { manifestText, signManifest, verifySignature } from "../../lib/bundle/signing.ts";
import { blake3Hex } from "../../lib/cas/hash.ts";
import { putBatch } from "../../lib/cas/write.ts";
import type { CasStore } from "../../lib/cas/store.ts";
import {
  dumpDatabase,
  flipped,
  listDir,
  openStore,
  tempDir,
  throwsCode,
  withDb,
} from "../cas/helpers.ts";

const fixtures = await ensureFixtures({
  only: ["vec0@0.1.9", "vec0@0.1.6", "lines0", "regex0", "path0"],
});
const read = (name: string) => Deno.readFileSync(fixtures[name]);
/** The set every test exports: a zstd-compressed, a raw and a chunked blob. */
const SET = [
  { fixture: "vec0@0.1.9", name: "vec0", entryPoint: null },
  { fixture: "lines0", name: "lines0", entryPoint: "sqlite3_lines_init" },
  { fixture: "regex0", name: "regex0", entryPoint: null },
];

/** Put `set`'s files into `store` and save them as bundle `name`. */
function saveSet(store: CasStore, name: string, set = SET): NewMember[] {
  const members = set.map((m) => ({
    extensionName: m.name,
    contentHash: store.put(read(m.fixture)).blake3,
    entryPoint: m.entryPoint,
  }));
  saveBundle(store, name, members);
  return members;
}

/** A source cache holding bundle "ci", exported to `<dir>/out/ci.sqlink`. */
function exported(dir: string, options: { signingKey?: string } = {}): string {
  Deno.mkdirSync(join(dir, "src"));
  Deno.mkdirSync(join(dir, "out"), { recursive: true });
  using source = openStore(join(dir, "src"));
  saveSet(source, "ci");
  const file = join(dir, "out", "ci.sqlink");
  exportBundle(source, "ci", file, options);
  return file;
}

function edit(file: string, fn: (db: DatabaseSync) => void): void {
  withDb(file, fn);
}

function blobOf(db: DatabaseSync, name: string): { blake3: string; data: Uint8Array } {
  const row = db.prepare(
    `SELECT a.blake3, a.data FROM __cas_artifact a
     JOIN __cas_bundle_member m ON m.content_hash = a.blake3 WHERE m.extension_name = ?`,
  ).get(name)!;
  return { blake3: String(row.blake3), data: row.data as Uint8Array };
}

Deno.test("archive: a bundle of three real extensions goes out and into a fresh cache intact", () => {
  using dir = tempDir();
  const file = exported(dir.path);
  assert.deepEqual(listDir(join(dir.path, "out")), ["ci.sqlink"], "one file, no -wal/-shm/temp");
  withDb(file, (db) => {
    assert.equal(db.prepare("PRAGMA journal_mode").get()!.journal_mode, "delete");
    const meta = Object.fromEntries(
      db.prepare("SELECT key, value FROM __cas_meta").all().map((r) => [r.key, r.value]),
    );
    assert.equal(meta.archive_format, ARCHIVE_FORMAT);
    assert.equal(meta.archive_version, "1");
    assert.match(String(meta.created_at), /^\d{4}-\d\d-\d\dT/);
    assert.equal(meta.signature, undefined);
    const codecs = db.prepare("SELECT codec, chunks FROM __cas_artifact ORDER BY size").all();
    assert.deepEqual(codecs.map((r) => [r.codec, Number(r.chunks) > 0]), [
      ["raw", false],
      ["zstd", false],
      ["zstd", true],
    ]);
  });

  const archive = readArchive(file);
  assert.equal(archive.signature, "unsigned");
  assert.deepEqual(archive.manifest.members.map((m) => m.extensionName), [
    "vec0",
    "lines0",
    "regex0",
  ]);
  using target = openStore(join(dir.path, "dst"));
  const result = importArchive(target, archive);
  assert.equal(result.created, true);
  assert.equal(result.added, 3);
  assert.equal(result.present, 0);

  const bundle = findBundle(target, "ci");
  assert.equal(bundle.setHash, archive.manifest.setHash);
  assert.deepEqual(
    bundle.members.map((m) => [m.extensionName, m.loadOrder, m.entryPoint]),
    [["vec0", 0, null], ["lines0", 1, "sqlite3_lines_init"], ["regex0", 2, null]],
  );
  for (const [i, m] of bundle.members.entries()) {
    assert.deepEqual(
      target.read(target.resolve(`extension:${m.extensionName}`)),
      read(SET[i].fixture),
    );
  }
  assert.equal(target.verify().corrupt.length, 0);

  const again = importArchive(target, readArchive(file));
  assert.equal(again.created, false, "the same set under the same name is a no-op");
  assert.equal(again.added, 0);
  assert.equal(again.present, 3);
});

Deno.test("archive: import restores a bundle's missing blobs even when the bundle is there", () => {
  using dir = tempDir();
  const file = exported(dir.path);
  using target = openStore(join(dir.path, "dst"));
  importArchive(target, readArchive(file));
  const lines0 = blake3Hex(read("lines0"));
  target.db.prepare("DELETE FROM __cas_artifact WHERE blake3 = ?").run(lines0);
  const result = importArchive(target, readArchive(file));
  assert.equal(result.created, false);
  assert.deepEqual(result.members.map((m) => m.added), [false, true, false]);
  assert.deepEqual(target.readKey(lines0), read("lines0"));
});

Deno.test("archive: a name holding another set is refused with nothing written; --as imports it", () => {
  using dir = tempDir();
  const file = exported(dir.path);
  using target = openStore(join(dir.path, "dst"));
  saveSet(target, "ci", [{ fixture: "path0", name: "path0", entryPoint: null }]);
  const before = dumpDatabase(target.path);
  const err = throwsCode(() => importArchive(target, readArchive(file)), "EEXIST");
  assert.match(
    err.message,
    /Bundle "ci" already exists with a different set of extensions \(path0/,
  );
  assert.match(err.hint!, /--as NEW_NAME/);
  assert.deepEqual(dumpDatabase(target.path), before);

  const renamed = importArchive(target, readArchive(file), { name: "ci-shared" });
  assert.equal(renamed.bundle.name, "ci-shared");
  assert.equal(findBundle(target, "ci").members[0].extensionName, "path0");
});

Deno.test("archive: export re-reads every blob verified and never leaves a partial file", () => {
  using dir = tempDir();
  using source = openStore(dir.path);
  const members = saveSet(source, "ci");
  const file = join(dir.path, "out", "ci.sqlink");
  Deno.mkdirSync(join(dir.path, "out"));
  Deno.writeTextFileSync(file, "an older archive");

  source.db.prepare("UPDATE __cas_artifact SET data = ? WHERE blake3 = ?").run(
    flipped(read("lines0"), 100),
    members[1].contentHash,
  );
  const corrupt = throwsCode(() => exportBundle(source, "ci", file), "EINTEGRITY");
  assert.match(corrupt.message, /^Cannot export bundle "ci": the blob of member lines0 \(blake3/);
  assert.deepEqual(listDir(join(dir.path, "out")), ["ci.sqlink"]);
  assert.equal(Deno.readTextFileSync(file), "an older archive");

  source.db.prepare("DELETE FROM __cas_artifact WHERE blake3 = ?").run(members[1].contentHash);
  const missing = throwsCode(() => exportBundle(source, "ci", file), "EMISSING");
  assert.match(missing.message, /this member is not in the cas-cache: lines0/);
  assert.equal(Deno.readTextFileSync(file), "an older archive");

  source.put(read("lines0"));
  throwsCode(() => exportBundle(source, "nope", file), "ENOTFOUND");
  throwsCode(
    () => exportBundle(source, "ci", join(dir.path, "no", "such", "dir.sqlink")),
    "ENOENT",
  );
});

/** Refused with `code` and a message matching `pattern`; the target cache is untouched. */
function refused(file: string, code: string, pattern: RegExp, signingKey?: string): void {
  using dir = tempDir();
  using target = openStore(dir.path);
  saveSet(target, "other", [{ fixture: "path0", name: "path0", entryPoint: null }]);
  const before = dumpDatabase(target.path);
  const err = throwsCode(() => importArchive(target, readArchive(file, { signingKey })), code);
  assert.match(err.message, pattern);
  assert.ok(err.hint, "a hint says what to do");
  assert.equal(err.exitCode, 1);
  assert.deepEqual(dumpDatabase(target.path), before);
}

Deno.test("archive: tampered blobs are refused, naming the member, whether or not they decode", () => {
  using dir = tempDir();
  const file = exported(dir.path);
  const pristine = Deno.readFileSync(file);
  const tampers: Array<[string, (db: DatabaseSync) => void]> = [
    ["lines0", (db) => { // raw
      const { blake3, data } = blobOf(db, "lines0");
      db.prepare("UPDATE __cas_artifact SET data = ? WHERE blake3 = ?").run(
        flipped(data, 5000),
        blake3,
      );
    }],
    ["vec0", (db) => { // zstd that still decodes, to other bytes of the same length
      const { blake3 } = blobOf(db, "vec0");
      const forged = zlib.zstdCompressSync(flipped(read("vec0@0.1.9"), 4242));
      db.prepare("UPDATE __cas_artifact SET data = ? WHERE blake3 = ?").run(forged, blake3);
    }],
    ["vec0", (db) => { // zstd that no longer decodes
      const { blake3, data } = blobOf(db, "vec0");
      db.prepare("UPDATE __cas_artifact SET data = ? WHERE blake3 = ?").run(
        data.subarray(0, 1000),
        blake3,
      );
    }],
    ["regex0", (db) => { // one chunk of a chunked blob
      const { blake3 } = blobOf(db, "regex0");
      const chunk = db.prepare("SELECT data FROM __cas_chunk WHERE blake3 = ? AND seq = 3").get(
        blake3,
      )!;
      db.prepare("UPDATE __cas_chunk SET data = ? WHERE blake3 = ? AND seq = 3")
        .run(flipped(chunk.data as Uint8Array, 777), blake3);
    }],
  ];
  for (const [member, tamper] of tampers) {
    Deno.writeFileSync(file, pristine);
    edit(file, tamper);
    refused(
      file,
      "EINTEGRITY",
      new RegExp(`the blob of member ${member} \\(blake3 [0-9a-f]{12}…\\) is corrupt`),
    );
  }
});

Deno.test("archive: what is not an archive, or not a whole one, is refused before the cache is touched", () => {
  using dir = tempDir();
  const file = exported(dir.path);
  const bytes = Deno.readFileSync(file);
  const bad = (name: string, content: Uint8Array) => {
    const path = join(dir.path, name);
    Deno.writeFileSync(path, content);
    return path;
  };
  refused(bad("empty", new Uint8Array()), "ENOTARCHIVE", /: the file is empty$/);
  refused(
    bad("random", crypto.getRandomValues(new Uint8Array(8192))),
    "ENOTARCHIVE",
    /it is not a SQLite database$/,
  );
  refused(
    bad("half", bytes.subarray(0, bytes.length / 2)),
    "ETRUNCATED",
    /it is truncated: it holds \d+ bytes where its header says \d+$/,
  );
  refused(bad("head", bytes.subarray(0, 60)), "ETRUNCATED", /it is truncated \(60 bytes\)$/);

  // A cas-cache (checkpointed, so it is not in WAL mode any more) and any other database.
  using other = openStore(join(dir.path, "cache"));
  saveSet(other, "ci");
  other.db.exec("PRAGMA journal_mode = DELETE");
  refused(other.path, "ENOTARCHIVE", /it is a sqlink cas-cache, not a bundle archive$/);
  other.db.exec("PRAGMA journal_mode = WAL");
  refused(other.path, "ENOTARCHIVE", /it is a SQLite database in WAL mode/);
  const plain = join(dir.path, "plain.sqlite");
  withDb(plain, (db) => db.exec("CREATE TABLE t(x); INSERT INTO t VALUES (1)"));
  refused(plain, "ENOTARCHIVE", /it is a SQLite database, but not a sqlink bundle archive$/);
});

Deno.test("archive: a newer version, a wrong set_hash, an edited member or not one bundle is refused", () => {
  using dir = tempDir();
  const file = exported(dir.path);
  const pristine = Deno.readFileSync(file);
  const cases: Array<[string, string, RegExp, (db: DatabaseSync) => void]> = [
    ["newer", "ENEWER", /written by a newer sqlink \(archive version 2/, (db) => {
      db.exec("UPDATE __cas_meta SET value = '2' WHERE key = 'archive_version'");
    }],
    [
      "member hash",
      "EARCHIVE",
      /the set_hash of bundle "ci" \([0-9a-f]{16}…\) does not match its members/,
      (db) => {
        db.prepare("UPDATE __cas_bundle_member SET content_hash = ? WHERE extension_name = 'vec0'")
          .run(blake3Hex(read("vec0@0.1.6")));
      },
    ],
    [
      "member and set_hash",
      "EARCHIVE",
      /the blob of member vec0 \(blake3 [0-9a-f]{12}…\) is missing from it/,
      (db) => {
        rehash(db, "vec0", blake3Hex(read("vec0@0.1.6")));
      },
    ],
    ["two bundles", "EARCHIVE", /it holds 2 bundles, where an archive holds exactly one/, (db) => {
      db.exec(`INSERT INTO __cas_bundle(name, set_hash, created_at, last_used_at)
               SELECT 'again', set_hash, 0, 0 FROM __cas_bundle`);
    }],
    ["no bundle", "EARCHIVE", /it holds 0 bundles/, (db) => db.exec("DELETE FROM __cas_bundle")],
    ["load order gap", "EARCHIVE", /its member rows are malformed/, (db) => {
      db.exec("UPDATE __cas_bundle_member SET load_order = 7 WHERE extension_name = 'regex0'");
    }],
  ];
  for (const [what, code, pattern, change] of cases) {
    Deno.writeFileSync(file, pristine);
    edit(file, change);
    try {
      refused(file, code, pattern);
    } catch (err) {
      throw new Error(`case "${what}": ${(err as Error).message}`);
    }
  }
});

/** Point member `name` at `blake3` and recompute the bundle's set_hash to match. */
function rehash(db: DatabaseSync, name: string, blake3: string): void {
  db.prepare("UPDATE __cas_bundle_member SET content_hash = ? WHERE extension_name = ?").run(
    blake3,
    name,
  );
  const members = db.prepare("SELECT extension_name, content_hash FROM __cas_bundle_member").all()
    .map((m) => ({ extensionName: String(m.extension_name), contentHash: String(m.content_hash) }));
  db.prepare("UPDATE __cas_bundle SET set_hash = ?").run(setHash(members));
}

Deno.test("archive: signed archives need the key, and any edit of the manifest breaks them", () => {
  using dir = tempDir();
  const file = exported(dir.path, { signingKey: "team secret" });
  const pristine = Deno.readFileSync(file);
  assert.equal(readArchive(file, { signingKey: "team secret" }).signature, "verified");
  assert.equal(readArchive(file).signature, "unchecked", "no key: accepted, said to be unchecked");
  refused(file, "ESIGNATURE", /its signature does not match/, "another key");

  const edits: Array<[string, (db: DatabaseSync) => void]> = [
    [
      "entry point",
      (db) =>
        db.exec(
          "UPDATE __cas_bundle_member SET entry_point = 'sqlite3_x_init' WHERE extension_name = 'vec0'",
        ),
    ],
    [
      "load order",
      (db) =>
        db.exec("UPDATE __cas_bundle_member SET load_order = 1 - load_order WHERE load_order < 2"),
    ],
    ["bundle name", (db) => db.exec("UPDATE __cas_bundle SET name = 'renamed'")],
    ["member swapped with its blob", (db) => {
      putBatch(db, [{ bytes: read("vec0@0.1.6") }], "auto", (fn) => fn());
      rehash(db, "vec0", blake3Hex(read("vec0@0.1.6")));
    }],
    [
      "signature itself",
      (db) =>
        db.exec(
          "UPDATE __cas_meta SET value = 'hmac-sha256:' || hex(randomblob(32)) WHERE key = 'signature'",
        ),
    ],
    [
      "signature garbled",
      (db) => db.exec("UPDATE __cas_meta SET value = 'nonsense' WHERE key = 'signature'"),
    ],
  ];
  for (const [what, change] of edits) {
    Deno.writeFileSync(file, pristine);
    edit(file, change);
    try {
      refused(
        file,
        "ESIGNATURE",
        /its signature does not match: it was changed after it was signed/,
        "team secret",
      );
    } catch (err) {
      throw new Error(`edit "${what}": ${(err as Error).message}`);
    }
  }

  Deno.writeFileSync(file, pristine);
  edit(file, (db) => db.exec("DELETE FROM __cas_meta WHERE key = 'signature'"));
  refused(file, "ESIGNATURE", /it is not signed, and SQLINK_SIGNING_KEY is set/, "team secret");
  assert.equal(readArchive(file).signature, "unsigned");
});

Deno.test("signing: the manifest text is canonical and every field is covered", () => {
  const manifest = {
    format: ARCHIVE_FORMAT,
    version: 1,
    bundle: "ci",
    setHash: "ab".repeat(32),
    members: [
      { extensionName: "b", contentHash: "22".repeat(32), loadOrder: 1, entryPoint: null },
      { extensionName: "a", contentHash: "11".repeat(32), loadOrder: 0, entryPoint: "init" },
    ],
  };
  assert.equal(
    manifestText(manifest),
    `{"format":"sqlink-bundle-archive","version":1,"bundle":"ci","setHash":"${"ab".repeat(32)}",` +
      `"members":[{"name":"a","blake3":"${"11".repeat(32)}","loadOrder":0,"entryPoint":"init"},` +
      `{"name":"b","blake3":"${"22".repeat(32)}","loadOrder":1,"entryPoint":null}]}`,
  );
  const signature = signManifest(manifest, "k");
  assert.match(signature, /^hmac-sha256:[0-9a-f]{64}$/);
  assert.ok(verifySignature(manifest, signature, "k"));
  assert.ok(!verifySignature(manifest, signature, "K"));
  const variants = [
    { ...manifest, version: 2 },
    { ...manifest, bundle: "cj" },
    { ...manifest, setHash: "ac".repeat(32) },
    { ...manifest, members: [{ ...manifest.members[0], entryPoint: "" }, manifest.members[1]] },
    { ...manifest, members: [{ ...manifest.members[0], loadOrder: 2 }, manifest.members[1]] },
    { ...manifest, members: [manifest.members[0]] },
  ];
  for (const variant of variants) assert.ok(!verifySignature(variant, signature, "k"));
});
