/**
 * Opening old and foreign files (SPEC §3.1, §9): v1 and v2 caches migrate forward to v5 with
 * every row kept; a second open changes nothing; newer schemas, non-databases, foreign
 * databases and directories are refused with nothing written.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { dirname, join } from "node:path";
import zlib from "node:zlib";
import { CasStore } from "../../lib/cas/store.ts";
import { SCHEMA_VERSION } from "../../lib/cas/schema.ts";
import { digestBytes, sha256Hex } from "../../lib/cas/hash.ts";
import {
  dumpDatabase,
  listDir,
  randomBytes,
  schemaVersionOf,
  SIX_TABLES,
  tableNames,
  tempDir,
  throwsCode,
  utf8,
  withDb,
} from "./helpers.ts";

/** The v1 schema, written out by hand exactly as toV1 in lib/cas/schema.ts creates it. */
const V1_SQL = `
  CREATE TABLE __cas_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE __cas_artifact (
    blake3 TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX __cas_artifact_sha256 ON __cas_artifact(sha256);
`;

/** What toV2 adds on top of v1 (columns by ALTER TABLE, as the migration does). */
const V2_SQL = `
  ALTER TABLE __cas_artifact ADD COLUMN codec TEXT NOT NULL DEFAULT 'raw';
  ALTER TABLE __cas_artifact ADD COLUMN stored_size INTEGER;
  ALTER TABLE __cas_artifact ADD COLUMN chunks INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE __cas_artifact ADD COLUMN last_used_at INTEGER;
  CREATE INDEX __cas_artifact_lru ON __cas_artifact(last_used_at);
  CREATE TABLE __cas_chunk (
    blake3 TEXT NOT NULL,
    seq INTEGER NOT NULL,
    codec TEXT NOT NULL DEFAULT 'raw',
    data BLOB NOT NULL,
    PRIMARY KEY (blake3, seq)
  );
  CREATE TABLE __cas_uri (
    uri TEXT PRIMARY KEY,
    blake3 TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL
  );
  CREATE INDEX __cas_uri_blake3 ON __cas_uri(blake3);
`;

interface Blob {
  bytes: Uint8Array;
  blake3: string;
  sha256: string;
}

function blob(bytes: Uint8Array): Blob {
  return { bytes, ...digestBytes(bytes) };
}

const V1_BLOBS = [
  blob(utf8("uuid")),
  blob(utf8("hello, cas-cache v1")),
  blob(new Uint8Array(0)),
  blob(randomBytes(70_000)),
];

/** Build a v1 cache at `path` with V1_BLOBS; created_at is 1000 + index. */
function buildV1(path: string): void {
  withDb(path, (db) => {
    db.exec(V1_SQL);
    db.exec(`INSERT INTO __cas_meta(key, value) VALUES ('schema_version', '1')`);
    const insert = db.prepare(
      `INSERT INTO __cas_artifact(blake3, sha256, size, data, created_at) VALUES (?, ?, ?, ?, ?)`,
    );
    V1_BLOBS.forEach((b, i) => insert.run(b.blake3, b.sha256, b.bytes.length, b.bytes, 1000 + i));
  });
}

const V2_INLINE = blob(utf8("v2 inline raw artifact"));
const V2_ZSTD = blob(utf8("compressible v2 text. ".repeat(5000)));
const V2_CHUNKED = blob(randomBytes(3 * 1024 + 17));
/** Chunk size used by the hand-built chunked row: any split must read back the same. */
const V2_CHUNK = 1024;
const V2_URIS: Array<[string, Blob]> = [
  ["extension:inline", V2_INLINE],
  ["file:///opt/ext/zstd.so", V2_ZSTD],
  ["extension:chunked", V2_CHUNKED],
  ["extension:also-inline", V2_INLINE],
];

/** Build a v2 cache at `path`: one inline raw, one inline zstd, one chunked artifact, URIs. */
function buildV2(path: string): void {
  withDb(path, (db) => {
    db.exec(V1_SQL);
    db.exec(V2_SQL);
    db.exec(`INSERT INTO __cas_meta(key, value) VALUES ('schema_version', '2')`);
    const insert = db.prepare(
      `INSERT INTO __cas_artifact
       (blake3, sha256, size, data, created_at, codec, stored_size, chunks, last_used_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    insert.run(
      V2_INLINE.blake3,
      V2_INLINE.sha256,
      V2_INLINE.bytes.length,
      V2_INLINE.bytes,
      2000,
      "raw",
      V2_INLINE.bytes.length,
      0,
      2100,
    );
    const packed = new Uint8Array(zlib.zstdCompressSync(V2_ZSTD.bytes));
    insert.run(
      V2_ZSTD.blake3,
      V2_ZSTD.sha256,
      V2_ZSTD.bytes.length,
      packed,
      2001,
      "zstd",
      packed.length,
      0,
      2101,
    );
    const chunk = db.prepare(
      `INSERT INTO __cas_chunk(blake3, seq, codec, data) VALUES (?, ?, ?, ?)`,
    );
    let seq = 0;
    for (let at = 0; at < V2_CHUNKED.bytes.length; at += V2_CHUNK) {
      chunk.run(V2_CHUNKED.blake3, seq++, "raw", V2_CHUNKED.bytes.subarray(at, at + V2_CHUNK));
    }
    insert.run(
      V2_CHUNKED.blake3,
      V2_CHUNKED.sha256,
      V2_CHUNKED.bytes.length,
      null,
      2002,
      "raw",
      V2_CHUNKED.bytes.length,
      seq,
      2102,
    );
    const uri = db.prepare(
      `INSERT INTO __cas_uri(uri, blake3, created_at, last_used_at) VALUES (?, ?, ?, ?)`,
    );
    V2_URIS.forEach(([u, b], i) => uri.run(u, b.blake3, 3000 + i, 3100 + i));
  });
}

/** What toV3 adds on top of v2, as today's main writes it. */
const V3_SQL = `
  CREATE TABLE __cas_bundle (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    set_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL
  );
  CREATE INDEX __cas_bundle_set_hash ON __cas_bundle(set_hash);
  CREATE TABLE __cas_bundle_member (
    bundle_id INTEGER NOT NULL,
    extension_name TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    load_order INTEGER NOT NULL DEFAULT 0,
    entry_point TEXT,
    PRIMARY KEY (bundle_id, extension_name)
  );
  CREATE INDEX __cas_bundle_member_hash ON __cas_bundle_member(content_hash);
  CREATE TABLE __cas_bundle_binary (
    bundle_id INTEGER NOT NULL,
    target_triple TEXT NOT NULL,
    binary_path TEXT NOT NULL,
    built_at INTEGER NOT NULL,
    PRIMARY KEY (bundle_id, target_triple)
  );
`;

/**
 * Build a v3 cache at `path` the way sqlink 0.1 (schema 3) leaves one: 64 KiB pages, WAL,
 * the v2 artifacts, chunks and URIs, and a bundle pinning one of them.
 */
function buildV3(path: string): void {
  withDb(path, (db) => db.exec(`PRAGMA page_size = 65536; PRAGMA journal_mode = WAL`));
  buildV2(path);
  withDb(path, (db) => {
    db.exec(V3_SQL);
    db.exec(`UPDATE __cas_meta SET value = '3' WHERE key = 'schema_version'`);
    db.exec(`INSERT INTO __cas_bundle(id, name, set_hash, created_at, last_used_at)
             VALUES (1, 'team', '${"ab".repeat(32)}', 4000, 4100)`);
    db.prepare(
      `INSERT INTO __cas_bundle_member(bundle_id, extension_name, content_hash, load_order)
       VALUES (1, 'inline', ?, 0)`,
    ).run(V2_INLINE.blake3);
  });
}

/** The stored total the cache keeps, and the one its rows add up to. */
function storedTotals(path: string): { kept: number; summed: number } {
  return withDb(path, (db) => ({
    kept: Number(
      db.prepare(`SELECT value FROM __cas_meta WHERE key = 'stored_bytes'`).get()?.value,
    ),
    summed: Number(
      db.prepare(`SELECT coalesce(sum(stored_size), 0) AS n FROM __cas_artifact`).get()!.n,
    ),
  }));
}

/** Open, then close, a store; the path must now be a current cache. */
function openAndClose(path: string): void {
  CasStore.open({ path }).close();
}

/** Open twice and check that the second open changed no row and no schema entry. */
function assertSecondOpenIsNoop(path: string): void {
  const before = dumpDatabase(path);
  openAndClose(path);
  assert.deepEqual(dumpDatabase(path), before);
}

Deno.test("migrate: a hand-built v1 cache opens as the current version with every artifact kept", () => {
  using dir = tempDir();
  const path = join(dir.path, "v1.sqlite");
  buildV1(path);
  assert.equal(schemaVersionOf(path), 1);

  openAndClose(path);
  assert.equal(schemaVersionOf(path), SCHEMA_VERSION);
  assert.equal(SCHEMA_VERSION, 6);
  const tables = tableNames(path);
  for (const table of [...SIX_TABLES, "__cas_chunk"]) assert.ok(tables.includes(table), table);

  // v2 backfilled the new columns from the v1 row.
  const rows = withDb(path, (db) =>
    db.prepare(
      `SELECT blake3, sha256, size, codec, stored_size, chunks, created_at, last_used_at
       FROM __cas_artifact ORDER BY rowid`,
    ).all());
  assert.deepEqual(
    rows.map((r) => ({ ...r })),
    V1_BLOBS.map((b, i) => ({
      blake3: b.blake3,
      sha256: b.sha256,
      size: b.bytes.length,
      codec: "raw",
      stored_size: b.bytes.length,
      chunks: 0,
      created_at: 1000 + i,
      last_used_at: 1000 + i,
    })),
  );

  assertSecondOpenIsNoop(path);

  const store = CasStore.open({ path });
  try {
    for (const b of V1_BLOBS) {
      assert.deepEqual(store.read(store.resolve(b.blake3)), b.bytes);
      assert.deepEqual(store.read(store.resolve(`sha256:${b.sha256}`)), b.bytes);
    }
    const report = store.verify();
    assert.equal(report.checked, V1_BLOBS.length);
    assert.deepEqual(report.corrupt, []);
    assert.equal(store.stats().schemaVersion, SCHEMA_VERSION);
  } finally {
    store.close();
  }
});

Deno.test("migrate: a hand-built v2 cache opens as the current version with artifacts, chunks and URIs kept", () => {
  using dir = tempDir();
  const path = join(dir.path, "v2.sqlite");
  buildV2(path);
  const v2 = dumpDatabase(path);

  openAndClose(path);
  assert.equal(schemaVersionOf(path), SCHEMA_VERSION);
  const tables = tableNames(path);
  for (const table of [...SIX_TABLES, "__cas_chunk"]) assert.ok(tables.includes(table), table);
  const v3 = dumpDatabase(path);
  // The migration added tables and nothing else: every v2 row is still there, unchanged.
  for (const table of ["__cas_artifact", "__cas_chunk", "__cas_uri"]) {
    assert.deepEqual(v3[table], v2[table], table);
  }
  assert.deepEqual(v3.__cas_bundle, []);
  assert.deepEqual(v3.__cas_bundle_member, []);
  assert.deepEqual(v3.__cas_bundle_binary, []);

  assertSecondOpenIsNoop(path);

  const store = CasStore.open({ path });
  try {
    for (const [uri, b] of V2_URIS) {
      const info = store.resolve(uri);
      assert.equal(info.blake3, b.blake3, uri);
      assert.deepEqual(store.read(info), b.bytes, uri);
    }
    assert.equal(store.info(V2_ZSTD.blake3)!.codec, "zstd");
    assert.equal(store.info(V2_CHUNKED.blake3)!.chunks, 4);
    const out = join(dir.path, "chunked.bin");
    store.exportTo(store.resolve("extension:chunked"), out);
    assert.deepEqual(Deno.readFileSync(out), V2_CHUNKED.bytes);
    assert.deepEqual(
      store.uris().map((u) => u.uri),
      V2_URIS.map(([u]) => u).sort(),
    );
    const report = store.verify();
    assert.equal(report.checked, 3);
    assert.deepEqual(report.corrupt, []);
    assert.deepEqual(report.danglingUris, []);
    assert.equal(report.orphanChunks, 0);
  } finally {
    store.close();
  }
});

Deno.test("migrate: a v3 cache as sqlink 0.1 writes it opens as the current version, keeping its stored total", () => {
  using dir = tempDir();
  const path = join(dir.path, "v3.sqlite");
  buildV3(path);
  assert.equal(schemaVersionOf(path), 3);
  const v3 = dumpDatabase(path);

  openAndClose(path);
  assert.equal(schemaVersionOf(path), SCHEMA_VERSION);
  const v5 = dumpDatabase(path);
  for (const table of SIX_TABLES.filter((t) => t !== "__cas_meta").concat("__cas_chunk")) {
    // v5 gave each bundle member its blob's SHA-256 (the remotes' key), and nothing else.
    const rows = table === "__cas_bundle_member"
      ? v5[table].map((r) => {
        const { sha256, ...rest } = r as Record<string, unknown>;
        assert.equal(sha256, V2_INLINE.sha256);
        return rest;
      })
      : v5[table];
    assert.deepEqual(rows, v3[table], table);
  }
  for (const table of ["__cas_remote_stat", "__cas_remote_quarantine"]) {
    assert.deepEqual(v5[table], [], table);
  }
  const totals = storedTotals(path);
  assert.ok(totals.summed > 0);
  assert.equal(totals.kept, totals.summed);
  assertSecondOpenIsNoop(path);

  // The page size stays (a file's format changes only with a VACUUM), and the cache works.
  assert.equal(
    withDb(path, (db) => Number(db.prepare(`PRAGMA page_size`).get()!.page_size)),
    65536,
  );
  const store = CasStore.open({ path, compress: "none" });
  try {
    for (const [uri, b] of V2_URIS) assert.deepEqual(store.read(store.resolve(uri)), b.bytes, uri);
    store.put(randomBytes(5000));
    assert.equal(store.gc(0).pinnedBytes, V2_INLINE.bytes.length);
    assert.equal(store.stats().storedBytes, V2_INLINE.bytes.length);
    assert.deepEqual(store.verify().corrupt, []);
  } finally {
    store.close();
  }
  const after = storedTotals(path);
  assert.equal(after.kept, after.summed);
  assert.equal(after.kept, V2_INLINE.bytes.length);
});

Deno.test("migrate: the stored total follows every put and removal, and cas gc corrects it", () => {
  using dir = tempDir();
  const path = join(dir.path, "cas.sqlite");
  const store = CasStore.open({ path, compress: "auto" });
  try {
    const check = (what: string) => {
      const { kept, summed } = storedTotals(path);
      assert.equal(kept, summed, what);
    };
    check("a fresh cache");
    const small = store.put(randomBytes(3000), { uri: "note:small" });
    store.putMany([{ bytes: utf8("zstd me. ".repeat(20_000)) }, { bytes: randomBytes(10) }]);
    const big = store.put(randomBytes(2 * 1024 * 1024 + 5));
    const file = join(dir.path, "big.bin");
    Deno.writeFileSync(file, randomBytes(3 * 1024 * 1024));
    store.putFiles([file]);
    check("puts: raw, compressed, chunked, a batch, a streamed file");
    store.put(new Uint8Array(3000).fill(1));
    store.put(new Uint8Array(3000).fill(1));
    store.putFiles([file]);
    check("puts of bytes already there");
    store.discardUnused(big.blake3);
    check("a discarded put");
    store.db.exec(`UPDATE __cas_artifact SET data = x'00' WHERE blake3 = '${small.blake3}'`);
    assert.equal(store.verify({ repair: true }).repaired, true);
    check("verify --repair");
    store.put(randomBytes(5000), { uri: "note:over" });
    assert.ok(store.putMany([{ bytes: randomBytes(6000) }]).eviction === undefined);
    check("puts under the cap");

    // Rows changed by hand put the kept total out of step until the next cas gc.
    store.db.exec(
      `DELETE FROM __cas_artifact WHERE rowid = (SELECT min(rowid) FROM __cas_artifact)`,
    );
    assert.notEqual(storedTotals(path).kept, storedTotals(path).summed);
    store.gc();
    check("cas gc");
    store.gc(4000);
    check("eviction");
  } finally {
    store.close();
  }
});

Deno.test("migrate: a put over the cap evicts by the kept total", () => {
  using dir = tempDir();
  const path = join(dir.path, "cas.sqlite");
  const store = CasStore.open({ path, compress: "none", maxBytes: 10_000 });
  try {
    store.put(randomBytes(4000));
    store.put(randomBytes(4000));
    const over = store.putMany([{ bytes: randomBytes(4000) }]);
    assert.equal(over.eviction?.evicted.length, 1);
    assert.equal(over.eviction?.totalBytes, 8000);
    const { kept, summed } = storedTotals(path);
    assert.equal(kept, 8000);
    assert.equal(summed, 8000);
  } finally {
    store.close();
  }
});

Deno.test("migrate: a fresh cache is created at v5 and reopening it changes nothing", () => {
  using dir = tempDir();
  const path = join(dir.path, "sub", "dir", "cas.sqlite");
  const store = CasStore.open({ path });
  store.put(utf8("fresh"), { uri: "note:fresh" });
  store.close();
  assert.equal(schemaVersionOf(path), SCHEMA_VERSION);
  assert.equal(Deno.statSync(join(dir.path, "sub")).mode! & 0o777, 0o700);
  assertSecondOpenIsNoop(path);
  assertSecondOpenIsNoop(path);
});

Deno.test("migrate: a schema version newer than supported is refused, file untouched", () => {
  using dir = tempDir();
  const path = join(dir.path, "future.sqlite");
  withDb(path, (db) => {
    db.exec(V1_SQL);
    db.exec(V2_SQL);
    db.exec(`INSERT INTO __cas_meta(key, value) VALUES ('schema_version', '99')`);
    db.exec(`CREATE TABLE __cas_future (x)`);
  });
  const before = Deno.readFileSync(path);
  const names = listDir(dir.path);
  const err = throwsCode(() => CasStore.open({ path }), "ESCHEMA");
  assert.match(err.message, /99/);
  assert.match(err.message, /newer/);
  assert.ok(err.hint);
  assert.equal(err.exitCode, 1);
  assert.deepEqual(Deno.readFileSync(path), before);
  assert.deepEqual(listDir(dir.path), names, "no -wal, -shm or -journal file was created");
});

Deno.test("migrate: a WAL-mode cache from a newer sqlink is refused, file untouched", () => {
  // What a future sqlink would really leave behind: a WAL database, cleanly closed.
  using dir = tempDir();
  const path = join(dir.path, "future-wal.sqlite");
  withDb(path, (db) => {
    db.exec(`PRAGMA journal_mode = WAL`);
    db.exec(V1_SQL);
    db.exec(
      `INSERT INTO __cas_meta(key, value) VALUES ('schema_version', '${SCHEMA_VERSION + 1}')`,
    );
  });
  const before = Deno.readFileSync(path);
  assert.deepEqual(listDir(dir.path), ["future-wal.sqlite"]);
  throwsCode(() => CasStore.open({ path }), "ESCHEMA");
  assert.deepEqual(Deno.readFileSync(path), before);
  assert.deepEqual(listDir(dir.path), ["future-wal.sqlite"]);
});

Deno.test("migrate: a schema_version that is not a number is refused, file untouched", () => {
  // Once, 'abc' read as NaN, neither newer nor older than 3: the file was switched to WAL,
  // opened unmigrated, and the first query failed with ESQLITE "no such column".
  using dir = tempDir();
  const path = join(dir.path, "garbled.sqlite");
  withDb(path, (db) => {
    db.exec(V1_SQL);
    db.exec(`INSERT INTO __cas_meta(key, value) VALUES ('schema_version', 'abc')`);
  });
  const before = Deno.readFileSync(path);
  let store: CasStore | undefined;
  try {
    throwsCode(() => (store = CasStore.open({ path })), "ESCHEMA");
  } finally {
    (store as CasStore | undefined)?.close();
  }
  assert.deepEqual(Deno.readFileSync(path), before);
  assert.deepEqual(listDir(dir.path), ["garbled.sqlite"]);
});

Deno.test("migrate: a text file is refused as ENOTDB, byte-identical afterwards", () => {
  using dir = tempDir();
  const path = join(dir.path, "notes.txt");
  const text = utf8("This is not a database.\n".repeat(100));
  Deno.writeFileSync(path, text);
  const err = throwsCode(() => CasStore.open({ path }), "ENOTDB");
  assert.match(err.message, /not a SQLite database/);
  assert.deepEqual(Deno.readFileSync(path), text);
  assert.deepEqual(listDir(dir.path), ["notes.txt"]);

  // A file with the SQLite header but garbage pages after it is refused too.
  const garbage = join(dir.path, "garbage.sqlite");
  const bytes = randomBytes(8192);
  bytes.set(utf8("SQLite format 3\0"));
  bytes.fill(0xff, 16, 100); // page size 0xffff: no valid header, whatever the random tail is
  Deno.writeFileSync(garbage, bytes);
  throwsCode(() => CasStore.open({ path: garbage }), "ENOTDB");
  assert.deepEqual(Deno.readFileSync(garbage), bytes);
  assert.deepEqual(listDir(dir.path), ["garbage.sqlite", "notes.txt"]);

  // A file shorter than the SQLite header is refused the same way.
  const tiny = join(dir.path, "tiny");
  Deno.writeFileSync(tiny, utf8("SQLite"));
  throwsCode(() => CasStore.open({ path: tiny }), "ENOTDB");
  assert.deepEqual(Deno.readFileSync(tiny), utf8("SQLite"));
});

Deno.test("migrate: a foreign SQLite database is refused as ENOTCAS, unmodified", () => {
  using dir = tempDir();
  const path = join(dir.path, "app.db");
  withDb(path, (db) => {
    db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)`);
    db.exec(`INSERT INTO users(name) VALUES ('ada'), ('grace')`);
  });
  const before = Deno.readFileSync(path);
  const err = throwsCode(() => CasStore.open({ path }), "ENOTCAS");
  assert.match(err.message, /not a sqlink cas-cache/);
  assert.deepEqual(Deno.readFileSync(path), before);
  assert.deepEqual(listDir(dir.path), ["app.db"]);
  assert.deepEqual(tableNames(path), ["users"]);
});

Deno.test("migrate: a directory as the cache path is refused as EISDIR", () => {
  using dir = tempDir();
  const err = throwsCode(() => CasStore.open({ path: dir.path }), "EISDIR");
  assert.match(err.message, /directory/);
  assert.deepEqual(listDir(dir.path), []);
});

Deno.test("migrate: a v2 cache whose meta says 1 is brought forward idempotently", () => {
  // Half-migrated files (v2 columns present, version still 1) must not fail on ADD COLUMN.
  using dir = tempDir();
  const path = join(dir.path, "half.sqlite");
  buildV2(path);
  withDb(path, (db) => db.exec(`UPDATE __cas_meta SET value = '1' WHERE key = 'schema_version'`));
  const v2 = dumpDatabase(path);
  openAndClose(path);
  assert.equal(schemaVersionOf(path), SCHEMA_VERSION);
  const v3 = dumpDatabase(path);
  for (const table of ["__cas_artifact", "__cas_chunk", "__cas_uri"]) {
    assert.deepEqual(v3[table], v2[table], table);
  }
});

Deno.test("migrate: a v1 file opened by two connections in turn is migrated once, to WAL", () => {
  using dir = tempDir();
  const path = join(dir.path, "v1.sqlite");
  buildV1(path);
  const a = CasStore.open({ path });
  const b = CasStore.open({ path });
  try {
    assert.equal(schemaVersionOf(path), SCHEMA_VERSION);
    assert.equal(a.list().length, V1_BLOBS.length);
    assert.equal(b.list().length, V1_BLOBS.length);
  } finally {
    a.close();
    b.close();
  }
  // Reading the journal mode needs a connection of its own: WAL persists in the file.
  const db = new DatabaseSync(path);
  try {
    assert.equal(String(db.prepare(`PRAGMA journal_mode`).get()!.journal_mode), "wal");
  } finally {
    db.close();
  }
});

/**
 * Open `path`, which must be refused with `code` and a message matching `pattern`, leaving
 * the file byte-for-byte as it was and no -wal, -shm or -journal beside it that was not there.
 */
function assertRefusedUntouched(path: string, code: string, pattern: RegExp): void {
  const dir = dirname(path);
  const before = sha256Hex(Deno.readFileSync(path));
  const names = listDir(dir);
  let store: CasStore | undefined;
  try {
    const err = throwsCode(() => (store = CasStore.open({ path })), code);
    assert.match(err.message, pattern);
    assert.match(err.message, /^Cannot open the cas-cache "/);
    assert.ok(!err.message.endsWith("."), "no trailing period");
    assert.ok(err.hint, "a hint says what to do");
    assert.equal(err.exitCode, 1);
  } finally {
    (store as CasStore | undefined)?.close();
  }
  assert.equal(sha256Hex(Deno.readFileSync(path)), before, `${path} changed`);
  assert.deepEqual(listDir(dir), names, "no -wal, -shm or -journal file was left");
}

/** Files sqlink must not adopt, each built in rollback-journal and in WAL mode. */
const UNVERSIONED: Array<[string, string, RegExp]> = [
  [
    "cas-cache tables without __cas_meta",
    `CREATE TABLE __cas_artifact (blake3 TEXT PRIMARY KEY, sha256 TEXT NOT NULL,
       size INTEGER NOT NULL, data BLOB, created_at INTEGER NOT NULL);
     INSERT INTO __cas_artifact VALUES ('k', 's', 1, x'00', 1);`,
    /not a sqlink cas-cache \(it has cas-cache tables, but no __cas_meta table/,
  ],
  [
    "__cas_meta without a schema_version row",
    `${V1_SQL} INSERT INTO __cas_meta(key, value) VALUES ('owner', 'someone else');`,
    /not a sqlink cas-cache \(its __cas_meta table has no schema_version row\)/,
  ],
  [
    "an empty __cas_meta and nothing else",
    `CREATE TABLE __cas_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
    /its __cas_meta table has no schema_version row/,
  ],
  [
    "a __cas_meta of another shape",
    `CREATE TABLE __cas_meta (name TEXT, version INTEGER);
     INSERT INTO __cas_meta VALUES ('schema_version', 3);`,
    /its __cas_meta table is not sqlink's/,
  ],
  [
    "another program's table next to an unversioned v1 schema",
    `CREATE TABLE notes (body TEXT); ${V1_SQL}`,
    /its __cas_meta table has no schema_version row/,
  ],
  [
    "no tables, but a user_version",
    `PRAGMA user_version = 7;`,
    /it has no tables, but another program set its user_version/,
  ],
  [
    "no tables, but an application_id",
    `PRAGMA application_id = 1234;`,
    /another program set its application_id/,
  ],
  [
    "only a view",
    `CREATE VIEW answer AS SELECT 42;`,
    /not a sqlink cas-cache \(it holds no sqlink tables\)/,
  ],
];

for (const wal of [false, true]) {
  const mode = wal ? "WAL" : "rollback-journal";
  Deno.test(`migrate: a ${mode} database without a version row is refused as ENOTCAS, untouched`, () => {
    using dir = tempDir();
    for (const [what, sql, pattern] of UNVERSIONED) {
      const path = join(dir.path, `${what.replaceAll(/[^a-z_]+/g, "-")}.sqlite`);
      withDb(path, (db) => {
        if (wal) db.exec(`PRAGMA journal_mode = WAL`);
        db.exec(sql);
      });
      const tables = tableNames(path);
      assertRefusedUntouched(path, "ENOTCAS", pattern);
      assert.deepEqual(tableNames(path), tables, what);
    }
  });
}

Deno.test("migrate: a schema_version that is not a plain positive integer is refused, untouched", () => {
  using dir = tempDir();
  // Each of these once read as a version through Number(): "" and "0" as 0 (adopted and
  // rewritten), " 3", "0x3", "3.0" and "3e0" as 3.
  for (const value of ["", "0", " 3", "3 ", "0x3", "3.0", "3e0", "-1", "2.5", "three", "03"]) {
    const path = join(dir.path, `v-${encodeURIComponent(value)}.sqlite`);
    withDb(path, (db) => {
      db.exec(V1_SQL);
      db.prepare(`INSERT INTO __cas_meta(key, value) VALUES ('schema_version', ?)`).run(value);
    });
    assertRefusedUntouched(path, "ESCHEMA", /its schema version ".*" is not a version number$/);
  }
});

Deno.test("migrate: new, empty files are initialised: a zero-length file, a SQLite file with no tables", () => {
  using dir = tempDir();
  const zero = join(dir.path, "zero.sqlite");
  Deno.writeFileSync(zero, new Uint8Array(0));
  const dropped = join(dir.path, "dropped.sqlite");
  withDb(dropped, (db) => db.exec(`CREATE TABLE t (x); DROP TABLE t`));
  const walEmpty = join(dir.path, "wal-empty.sqlite");
  withDb(walEmpty, (db) => db.exec(`PRAGMA journal_mode = WAL; CREATE TABLE t (x); DROP TABLE t`));
  for (const path of [zero, dropped, walEmpty]) {
    assert.deepEqual(tableNames(path), [], path);
    const store = CasStore.open({ path });
    store.put(utf8("now a cache"));
    store.close();
    assert.equal(schemaVersionOf(path), SCHEMA_VERSION, path);
    assertSecondOpenIsNoop(path);
  }
});
