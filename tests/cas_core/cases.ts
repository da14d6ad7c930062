/**
 * The cas-cache core's test cases, written once against the Database interface and run
 * twice: under Deno on node:sqlite (deno_test.ts) and in headless Chromium on sqlite-wasm in
 * OPFS (browser_test.ts, through browser_worker.ts). Everything here runs in both places:
 * no file system, no Deno namespace, no node: module.
 */
import type { DatabaseSync } from "../../lib/db/database.ts";
import { SqlinkError } from "../../lib/errors.ts";
import type { CompressPolicy } from "../../lib/cas/codec.ts";
import type { CasStore } from "../../lib/cas/store.ts";
import { prepare } from "../../lib/cas/db.ts";
import { SCHEMA_VERSION } from "../../lib/cas/schema.ts";
import { blake3Hex, sha256Hex } from "../../lib/cas/hash.ts";
import { findBundle, listBundles, saveBundle } from "../../lib/bundle/registry.ts";
import { setHash } from "../../lib/bundle/set_hash.ts";
import { compactArchive, fillArchive } from "../../lib/bundle/archive/build.ts";
import {
  checkArchiveHeader,
  importArchive,
  inArchive,
  verifyArchive,
} from "../../lib/bundle/archive/contents.ts";

/** What a driver gives the cases. */
export interface CoreHarness {
  /** Open (creating) the plain database `name` of this run; empty the first time. */
  database(name: string): DatabaseSync;
  /** Open (creating and migrating) the cas-cache `name` of this run. */
  store(name: string, options?: { maxBytes?: number; compress?: CompressPolicy }): CasStore;
}

/** One case: a name and a body that throws on failure. */
export interface CoreCase {
  name: string;
  run(h: CoreHarness): void;
}

class CaseFailure extends Error {}

function fail(message: string): never {
  throw new CaseFailure(message);
}

function show(value: unknown): string {
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  return JSON.stringify(value);
}

function equal(actual: unknown, expected: unknown, what: string): void {
  if (actual instanceof Uint8Array && expected instanceof Uint8Array) {
    if (actual.length !== expected.length || actual.some((b, i) => b !== expected[i])) {
      fail(`${what}: the bytes differ (${actual.length} and ${expected.length} bytes)`);
    }
    return;
  }
  if (show(actual) !== show(expected)) {
    fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

function ok(condition: unknown, what: string): void {
  if (!condition) fail(what);
}

/** The SqlinkError `fn` throws, checked for its code (and message, when given). */
function throwsCode(fn: () => unknown, code: string, message?: RegExp): SqlinkError {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof SqlinkError)) fail(`expected ${code}, got ${String(err)}`);
    if (err.code !== code) fail(`expected ${code}, got ${err.code}: ${err.message}`);
    if (message && !message.test(err.message)) fail(`message "${err.message}" !~ ${message}`);
    return err;
  }
  return fail(`expected ${code}, nothing was thrown`);
}

const text = (s: string) => new TextEncoder().encode(s);

/** Deterministic bytes that do not compress (xorshift). */
function noise(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed * 2 + 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function scalar(db: DatabaseSync, query: string, ...params: Array<string | number>): unknown {
  const row = db.prepare(query).get(...params);
  return row === undefined ? undefined : Object.values(row)[0];
}

/** A cache holding a two-member bundle "pair" (one member compressible). */
function withBundle(h: CoreHarness, name: string) {
  const cas = h.store(name);
  const a = cas.put(noise(30_000, 7), { uri: "extension:alpha" });
  const b = cas.put(text("beta ".repeat(40_000)), { uri: "extension:beta" });
  saveBundle(cas, "pair", [
    { extensionName: "alpha", contentHash: a.blake3, entryPoint: null },
    { extensionName: "beta", contentHash: b.blake3, entryPoint: "sqlite3_beta_init" },
  ]);
  return { cas, a, b };
}

/** Fill the archive database `name` with bundle "pair" of `cas`. */
function archiveOf(h: CoreHarness, cas: CasStore, name: string, signingKey?: string) {
  const archive = h.database(name);
  prepare(archive, name);
  fillArchive(cas, archive, findBundle(cas, "pair"), "Cannot export", { signingKey });
  compactArchive(archive, true);
  return archive;
}

/** Every case, in order. */
export const CORE_CASES: CoreCase[] = [
  {
    name: "a new cache gets the current schema and 64 KiB pages",
    run(h) {
      const cas = h.store("schema");
      equal(
        scalar(cas.db, `SELECT value FROM __cas_meta WHERE key = 'schema_version'`),
        String(SCHEMA_VERSION),
        "schema_version",
      );
      equal(scalar(cas.db, "PRAGMA page_size"), 65536, "page_size");
      equal(cas.stats().artifacts, 0, "artifacts");
      cas.close();
    },
  },
  {
    name: "put and read back: keyed by BLAKE3, mirrored by SHA-256, of the raw bytes",
    run(h) {
      const cas = h.store("identity");
      const put = cas.put(text("hello"));
      equal(
        put.blake3,
        "ea8f163db38682925e4491c5e58d4bb3506ef8c14eb78a86e908c5624a67200f",
        "blake3",
      );
      equal(
        put.sha256,
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        "sha256",
      );
      equal(cas.readKey(put.blake3), text("hello"), "bytes");
      equal(cas.resolve(put.blake3.slice(0, 8)).size, 5, "prefix lookup");
      equal(cas.resolve(`sha256:${put.sha256}`).blake3, put.blake3, "sha256 lookup");
      cas.close();
    },
  },
  {
    name: "the same bytes are stored once",
    run(h) {
      const cas = h.store("dedup");
      const first = cas.put(noise(5000, 1));
      const second = cas.put(noise(5000, 1));
      equal([first.created, second.created], [true, false], "created");
      equal(cas.stats().artifacts, 1, "artifacts");
      equal(cas.stats().storedBytes, 5000, "stored bytes");
      cas.close();
    },
  },
  {
    name: "blobs over 1 MiB are stored as chunk rows and read back whole",
    run(h) {
      const cas = h.store("chunks");
      const bytes = noise(2_500_000, 3);
      const put = cas.put(bytes);
      const info = cas.info(put.blake3)!;
      equal(info.chunks, 3, "chunks");
      equal(put.blake3, blake3Hex(bytes), "blake3");
      equal(cas.read(info), bytes, "read");
      const pieces: number[] = [];
      cas.emit(info, (piece) => pieces.push(piece.length));
      equal(pieces, [1 << 20, 1 << 20, 2_500_000 - 2 * (1 << 20)], "streamed pieces");
      cas.close();
    },
  },
  {
    name: "compressible blobs are stored zstd-compressed; identity stays the raw bytes",
    run(h) {
      const cas = h.store("zstd");
      const bytes = text("SELECT vec_version(); ".repeat(20_000));
      const put = cas.put(bytes);
      equal(put.codec, "zstd", "codec");
      ok(put.storedSize < bytes.length / 10, `stored ${put.storedSize} of ${bytes.length}`);
      equal(put.blake3, blake3Hex(bytes), "blake3 of the raw bytes");
      equal(put.sha256, sha256Hex(bytes), "sha256 of the raw bytes");
      equal(cas.readKey(put.blake3), bytes, "read");
      const small = cas.put(text("tiny"));
      equal(small.codec, "raw", "a small blob is kept raw");
      cas.close();
    },
  },
  {
    name: "URIs bind, resolve, rebind and unbind",
    run(h) {
      const cas = h.store("uris");
      const a = cas.put(text("first"), { uri: "extension:x" });
      const b = cas.put(text("second"));
      equal(cas.resolve("extension:x").blake3, a.blake3, "bound");
      const moved = cas.setUri("extension:x", b.blake3);
      equal([moved.blake3, moved.previous], [b.blake3, a.blake3], "rebound");
      equal(cas.uris().map((u) => [u.uri, u.blake3]), [["extension:x", b.blake3]], "listed");
      equal(cas.removeUri("extension:x"), b.blake3, "removed");
      throwsCode(() => cas.resolve("extension:x"), "ENOTFOUND");
      throwsCode(() => cas.resolve("12"), "EUSAGE", /not a hash or a URI/);
      cas.close();
    },
  },
  {
    name: "a damaged blob is an error naming it; verify finds it and repair removes it",
    run(h) {
      const cas = h.store("damaged", { compress: "none" });
      const good = cas.put(noise(10_000, 5));
      const bad = cas.put(noise(10_000, 6), { uri: "extension:bad" });
      const tampered = noise(10_000, 6);
      tampered[500] ^= 1;
      cas.db.prepare(`UPDATE __cas_artifact SET data = ? WHERE blake3 = ?`).run(
        tampered,
        bad.blake3,
      );
      throwsCode(() => cas.readKey(bad.blake3), "EINTEGRITY", new RegExp(bad.blake3));
      const report = cas.verify();
      equal(report.checked, 2, "checked");
      equal(report.corrupt.map((c) => c.blake3), [bad.blake3], "corrupt");
      equal(cas.verify({ repair: true }).repaired, true, "repaired");
      equal(cas.info(bad.blake3), undefined, "removed");
      equal(cas.uris().length, 0, "its URI went with it");
      equal(cas.readKey(good.blake3).length, 10_000, "the intact blob stays");
      cas.close();
    },
  },
  {
    name: "zstd data that does not decompress, or a missing chunk, is corruption",
    run(h) {
      const cas = h.store("codec");
      const packed = cas.put(text("abc".repeat(50_000)));
      equal(packed.codec, "zstd", "codec");
      cas.db.prepare(`UPDATE __cas_artifact SET data = ? WHERE blake3 = ?`).run(
        new Uint8Array(64),
        packed.blake3,
      );
      throwsCode(() => cas.readKey(packed.blake3), "EINTEGRITY", /does not decompress/);
      const big = cas.put(noise(2_200_000, 9));
      cas.db.prepare(`DELETE FROM __cas_chunk WHERE blake3 = ? AND seq = 1`).run(big.blake3);
      throwsCode(() => cas.readKey(big.blake3), "EINTEGRITY", /chunk 1 is missing/);
      equal(cas.verify().corrupt.length, 2, "verify finds both");
      cas.close();
    },
  },
  {
    name: "eviction: least recently used first, down to the cap; bundle members are pinned",
    run(h) {
      const cas = h.store("evict", { maxBytes: 50_000, compress: "none" });
      const pinned = cas.put(noise(20_000, 11));
      const old = cas.put(noise(20_000, 12));
      cas.db.exec(`UPDATE __cas_artifact SET last_used_at = 1000`);
      saveBundle(cas, "keep", [{
        extensionName: "p",
        contentHash: pinned.blake3,
        entryPoint: null,
      }]);
      cas.db.exec(`UPDATE __cas_artifact SET last_used_at = 1000`);
      const fresh = cas.putMany([{ bytes: noise(20_000, 13) }]);
      equal(fresh.eviction?.evicted.map((e) => e.blake3), [old.blake3], "evicted");
      ok(cas.info(pinned.blake3), "the pinned blob stays");
      ok(cas.info(fresh.results[0].blake3), "the new blob stays");
      equal(cas.stats().storedBytes, 40_000, "stored total");
      cas.close();
    },
  },
  {
    name: "a bundle's set_hash is the SHA-256 of its sorted name and BLAKE3 lines",
    run(h) {
      const { cas, a, b } = withBundle(h, "sethash");
      const bundle = findBundle(cas, "pair");
      const expected = sha256Hex(`alpha\t${a.blake3}\nbeta\t${b.blake3}\n`);
      equal(bundle.setHash, expected, "set_hash");
      equal(setHash([...bundle.members].reverse()), expected, "independent of load order");
      equal(findBundle(cas, expected.slice(0, 6)).name, "pair", "found by prefix");
      equal(bundle.members.map((m) => m.entryPoint), [null, "sqlite3_beta_init"], "entry points");
      const again = saveBundle(cas, "pair", bundle.members);
      equal(again.created, false, "the same set again changes nothing");
      throwsCode(
        () => saveBundle(cas, "pair", [bundle.members[0]]),
        "EEXIST",
        /already exists with a different set/,
      );
      cas.close();
    },
  },
  {
    name: "an archive round trip keeps the set_hash, the members and the bytes",
    run(h) {
      const { cas, a, b } = withBundle(h, "roundtrip-src");
      const archive = archiveOf(h, cas, "roundtrip.sqlink");
      equal(scalar(archive, "PRAGMA page_size"), 4096, "compacted");
      const read = inArchive(
        "roundtrip.sqlink",
        () => verifyArchive(archive, "roundtrip.sqlink", undefined),
      );
      equal(read.manifest.setHash, findBundle(cas, "pair").setHash, "manifest set_hash");
      equal(read.signature, "unsigned", "signature");
      const target = h.store("roundtrip-dst");
      const result = importArchive(target, read);
      equal([result.created, result.added, result.present], [true, 2, 0], "imported");
      equal(result.bundle.setHash, read.manifest.setHash, "set_hash in the new cache");
      equal(target.readKey(a.blake3), cas.readKey(a.blake3), "alpha's bytes");
      equal(target.readKey(b.blake3), cas.readKey(b.blake3), "beta's bytes");
      equal(target.resolve("extension:beta").blake3, b.blake3, "URI bound");
      equal(importArchive(target, read).created, false, "a second import changes nothing");
      equal(listBundles(target).length, 1, "one bundle");
      archive.close();
      cas.close();
      target.close();
    },
  },
  {
    name: "a tampered archive is refused: its set_hash, a blob's bytes, its format mark",
    run(h) {
      const { cas, b } = withBundle(h, "tamper-src");
      const verify = (db: DatabaseSync) =>
        inArchive("t.sqlink", () => verifyArchive(db, "t.sqlink", undefined));
      const edited = archiveOf(h, cas, "t1.sqlink");
      edited.exec(`UPDATE __cas_bundle SET set_hash = '${"0".repeat(64)}'`);
      throwsCode(() => verify(edited), "EARCHIVE", /does not match its members/);
      const swapped = archiveOf(h, cas, "t2.sqlink");
      swapped.prepare(`UPDATE __cas_artifact SET data = ?, codec = 'raw' WHERE blake3 = ?`).run(
        text("beta ".repeat(40_000)).map((x, i) => i === 7 ? x ^ 1 : x),
        b.blake3,
      );
      throwsCode(() => verify(swapped), "EINTEGRITY", /member beta .* is corrupt/);
      const unmarked = archiveOf(h, cas, "t3.sqlink");
      unmarked.exec(`DELETE FROM __cas_meta WHERE key = 'archive_format'`);
      throwsCode(() => verify(unmarked), "ENOTARCHIVE", /not a bundle archive/);
      const target = h.store("tamper-dst");
      equal(target.stats().artifacts, 0, "nothing was written");
      for (const db of [edited, swapped, unmarked]) db.close();
      cas.close();
      target.close();
    },
  },
  {
    name: "signed archives: the same key verifies, another is refused, none leaves it unchecked",
    run(h) {
      const { cas } = withBundle(h, "signed-src");
      const archive = archiveOf(h, cas, "signed.sqlink", "team secret");
      const verify = (key?: string) =>
        inArchive("s.sqlink", () => verifyArchive(archive, "s.sqlink", key));
      equal(verify("team secret").signature, "verified", "same key");
      throwsCode(() => verify("other"), "ESIGNATURE", /signature does not match/);
      equal(verify(undefined).signature, "unchecked", "no key");
      archive.exec(
        `UPDATE __cas_bundle_member SET entry_point = 'evil_init' WHERE extension_name = 'alpha'`,
      );
      throwsCode(() => verify("team secret"), "ESIGNATURE", /signature does not match/);
      archive.close();
      cas.close();
    },
  },
  {
    name: "an archive's header: empty, not SQLite, a live WAL database and a cut file are refused",
    run() {
      throwsCode(() => checkArchiveHeader("e", new Uint8Array(0), 0), "ENOTARCHIVE", /empty/);
      throwsCode(() => checkArchiveHeader("x", text("hello world, not sqlite"), 23), "ENOTARCHIVE");
      const head = new Uint8Array(100);
      head.set(text("SQLite format 3\0"));
      head[16] = 0x10; // 4096-byte pages
      head[18] = 2;
      head[19] = 2;
      throwsCode(() => checkArchiveHeader("w", head, 8192), "ENOTARCHIVE", /WAL mode/);
      head[18] = 1;
      head[19] = 1;
      new DataView(head.buffer).setUint32(28, 4); // 4 pages
      new DataView(head.buffer).setUint32(24, 9);
      new DataView(head.buffer).setUint32(92, 9);
      throwsCode(() => checkArchiveHeader("c", head, 8192), "ETRUNCATED", /truncated/);
      checkArchiveHeader("whole", head, 16384);
    },
  },
  {
    name: "a database that is not a cas-cache is refused and left untouched; so is a newer schema",
    run(h) {
      const foreign = h.database("foreign.sqlite");
      foreign.exec(`CREATE TABLE notes(body TEXT); INSERT INTO notes VALUES ('mine')`);
      throwsCode(() => prepare(foreign, "foreign.sqlite"), "ENOTCAS", /not a sqlink cas-cache/);
      equal(scalar(foreign, `SELECT count(*) FROM sqlite_schema`), 1, "no table added");
      equal(scalar(foreign, `SELECT body FROM notes`), "mine", "its data");
      foreign.close();
      const cas = h.store("newer.sqlite");
      cas.db.exec(`UPDATE __cas_meta SET value = '99' WHERE key = 'schema_version'`);
      cas.close();
      const again = h.database("newer.sqlite");
      throwsCode(
        () => prepare(again, "newer.sqlite"),
        "ESCHEMA",
        /newer than this sqlink supports/,
      );
      again.close();
    },
  },
  {
    name: "listing and stats: sizes, last use, URIs and pins as `cas ls` shows them",
    run(h) {
      const { cas, a, b } = withBundle(h, "listing");
      const loose = cas.put(text("loose"), { uri: "note:loose" });
      const listed = cas.list({ sort: "size", desc: true });
      equal(listed.map((l) => l.blake3), [b.blake3, a.blake3, loose.blake3], "by size");
      equal(listed.map((l) => l.pinned), [true, true, false], "pinned");
      equal(listed[2].uris, ["note:loose"], "URIs");
      ok(listed.every((l) => l.lastUsedAt >= l.createdAt), "last use");
      const stats = cas.stats();
      equal([stats.artifacts, stats.uris, stats.bundles], [3, 3, 1], "counts");
      equal(stats.rawBytes, 30_000 + 200_000 + 5, "raw bytes");
      equal(stats.pinnedBytes, a.storedSize + b.storedSize, "pinned bytes");
      cas.close();
    },
  },
];
