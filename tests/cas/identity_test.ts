/**
 * Identity (SPEC §3.2): BLAKE3 keys with a SHA-256 mirror, dedup of equal bytes, and every
 * accepted way of naming an artifact: full hashes, tagged hashes, unique prefixes.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { UsageError } from "../../lib/errors.ts";
import { blake3Hex, digestBytes, StreamDigest } from "../../lib/cas/hash.ts";
import { count, openStore, randomBytes, tempDir, throwsCode, utf8 } from "./helpers.ts";

/** The official BLAKE3 test-vector input: byte i is i mod 251. */
function vectorInput(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => i % 251);
}

/** From BLAKE3's test_vectors/test_vectors.json (the first 32 bytes of each output). */
const BLAKE3_VECTORS: Array<[number, string]> = [
  [0, "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"],
  [1, "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213"],
  [1023, "10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11"],
  [1024, "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7"],
  [1025, "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444"],
  [2048, "e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a"],
  [2049, "5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030"],
  [3072, "b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2"],
  [4097, "9b4052b38f1c5fc8b1f9ff7ac7b27cd242487b3d890d15c96a1c25b8aa0fb995"],
  [102400, "bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085"],
];

Deno.test("identity: BLAKE3 matches the official test vectors, one-shot and streamed", () => {
  assert.equal(
    blake3Hex(new Uint8Array(0)),
    "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
  );
  assert.equal(
    blake3Hex(utf8("abc")),
    "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85",
  );
  for (const [n, expected] of BLAKE3_VECTORS) {
    const input = vectorInput(n);
    assert.equal(blake3Hex(input), expected, `one-shot, length ${n}`);
    // Streamed in pieces of any size, the digest must be the same.
    for (const piece of [1, 7, 64, 1000, 1024, 4096, 65536]) {
      const stream = new StreamDigest();
      for (let at = 0; at < n; at += piece) stream.update(input.subarray(at, at + piece));
      const streamed = stream.digest();
      assert.equal(streamed.blake3, expected, `streamed in ${piece}-byte pieces, length ${n}`);
      assert.equal(streamed.sha256, createHash("sha256").update(input).digest("hex"));
    }
  }
  // "uuid": no published vector, but one-shot, streamed and digestBytes must agree, and the
  // SHA-256 mirror must be node:crypto's.
  const uuid = utf8("uuid");
  const both = digestBytes(uuid);
  assert.match(both.blake3, /^[0-9a-f]{64}$/);
  assert.equal(both.blake3, blake3Hex(uuid));
  assert.equal(
    new StreamDigest().update(uuid.subarray(0, 1)).update(uuid.subarray(1)).digest().blake3,
    both.blake3,
  );
  assert.equal(both.sha256, createHash("sha256").update("uuid").digest("hex"));
  assert.equal(new StreamDigest({ withSha256: false }).update(uuid).digest().sha256, "");
});

Deno.test("identity: BLAKE3 of `uuid`, `json1`, `case` reproduces the SPEC §6.1 set_hash", () => {
  // The spec's set_hash vector is SHA-256 over lines `<name>\t<blake3>\n` sorted bytewise,
  // so it checks the BLAKE3 of these three ASCII strings end to end.
  const lines = ["uuid", "json1", "case"]
    .map((name) => `${name}\t${blake3Hex(utf8(name))}\n`)
    .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  assert.equal(
    createHash("sha256").update(lines.join("")).digest("hex"),
    "8cbb3420ed4cbef44a80dcccd986f10a6f58acdf44a5c6cf09ba4b91430c9166",
  );
});

Deno.test("identity: put returns the BLAKE3 key and the SHA-256 mirror of the raw bytes", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  const bytes = utf8("abc");
  const put = store.put(bytes);
  assert.equal(put.blake3, "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85");
  assert.equal(put.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(put.size, 3);
  assert.equal(put.created, true);
  const info = store.info(put.blake3)!;
  assert.equal(info.sha256, put.sha256);
  assert.equal(info.size, 3);
  assert.deepEqual(store.read(info), bytes);
  // The empty blob is a valid artifact too.
  const empty = store.put(new Uint8Array(0));
  assert.equal(empty.blake3, BLAKE3_VECTORS[0][1]);
  assert.deepEqual(store.read(store.resolve(empty.blake3)), new Uint8Array(0));
});

Deno.test("identity: same bytes put twice and through two URIs make one artifact row", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  const bytes = randomBytes(10_000);
  const first = store.put(bytes, { uri: "extension:one" });
  const second = store.put(bytes.slice(), { uri: "file:///abs/path/one.so" });
  const third = store.put(bytes.slice());
  assert.equal(first.created, true);
  assert.equal(second.created, false);
  assert.equal(third.created, false);
  assert.equal(second.blake3, first.blake3);
  assert.equal(third.blake3, first.blake3);
  // Through a file, too.
  const file = join(dir.path, "one.so");
  Deno.writeFileSync(file, bytes);
  const fromFile = store.putFiles([file], { uri: "extension:from-file" }).results[0];
  assert.equal(fromFile.blake3, first.blake3);
  assert.equal(fromFile.created, false);
  // One batch holding the same bytes twice.
  const batch = store.putMany([{ bytes, uri: "extension:batch-a" }, {
    bytes: bytes.slice(),
    uri: "extension:batch-b",
  }]);
  assert.deepEqual(batch.results.map((r) => r.created), [false, false]);

  assert.equal(count(store, "__cas_artifact"), 1);
  assert.equal(count(store, "__cas_uri"), 5);
  assert.equal(count(store, "__cas_uri", "blake3 = ?", first.blake3), 5);
  const listed = store.list();
  assert.equal(listed.length, 1);
  assert.deepEqual(listed[0].uris, [
    "extension:batch-a",
    "extension:batch-b",
    "extension:from-file",
    "extension:one",
    "file:///abs/path/one.so",
  ]);
  assert.equal(store.stats().artifacts, 1);
  assert.equal(store.stats().storedBytes, 10_000);
});

Deno.test("identity: lookups by full, tagged and prefix hashes", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  const target = store.put(utf8("target artifact"));
  const others = Array.from({ length: 20 }, (_, i) => store.put(utf8(`other ${i}`)));
  const all = [target, ...others];

  const forms = [
    target.blake3,
    target.sha256,
    target.blake3.toUpperCase(),
    `blake3:${target.blake3}`,
    `sha256:${target.sha256}`,
    `BLAKE3:${target.blake3}`,
  ];
  for (const form of forms) assert.equal(store.resolve(form).blake3, target.blake3, form);

  // The shortest prefix of each kind that is unique among what the store holds.
  const unique = (key: "blake3" | "sha256") => {
    for (let n = 4; n <= 64; n++) {
      const prefix = target[key].slice(0, n);
      if (all.filter((p) => p[key].startsWith(prefix)).length === 1) return prefix;
    }
    throw new Error("no unique prefix");
  };
  const b3 = unique("blake3");
  assert.equal(store.resolve(b3).blake3, target.blake3);
  assert.equal(store.resolve(`blake3:${b3}`).blake3, target.blake3);
  assert.equal(store.resolve(`sha256:${unique("sha256")}`).blake3, target.blake3);
  // A 4-character prefix is the minimum, and works when it is unique.
  const four = target.blake3.slice(0, 4);
  if (all.filter((p) => p.blake3.startsWith(four)).length === 1) {
    assert.equal(store.resolve(four).blake3, target.blake3);
  }
  // A full SHA-256 that is given as a bare 64-hex string is found too (tested above), and
  // an upper-case prefix is the same prefix.
  assert.equal(store.resolve(b3.toUpperCase()).blake3, target.blake3);
});

/** Deterministic blobs, two of which share their first `n` BLAKE3 hex characters. */
function collidingPair(n: number): [Uint8Array, Uint8Array, string] {
  const seen = new Map<string, Uint8Array>();
  for (let i = 0;; i++) {
    const bytes = utf8(`collision candidate ${i}`);
    const prefix = blake3Hex(bytes).slice(0, n);
    const earlier = seen.get(prefix);
    if (earlier) return [earlier, bytes, prefix];
    seen.set(prefix, bytes);
  }
}

Deno.test("identity: an ambiguous prefix is EAMBIGUOUS and lists the candidates", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  const [a, b, prefix] = collidingPair(4);
  const putA = store.put(a);
  const putB = store.put(b);
  for (let i = 0; i < 10; i++) store.put(utf8(`filler ${i}`));
  assert.equal(putA.blake3.slice(0, 4), prefix);
  assert.equal(putB.blake3.slice(0, 4), prefix);
  assert.notEqual(putA.blake3, putB.blake3);

  for (const text of [prefix, `blake3:${prefix}`, prefix.toUpperCase()]) {
    const err = throwsCode(() => store.resolve(text), "EAMBIGUOUS");
    assert.ok(err.message.includes(putA.blake3), err.message);
    assert.ok(err.message.includes(putB.blake3), err.message);
    assert.match(err.message, /ambiguous/);
    assert.ok(err.hint);
    assert.deepEqual(
      [...(err.details!.candidates as string[])].sort(),
      [putA.blake3, putB.blake3].sort(),
    );
  }
  // One more distinguishing character resolves it.
  let n = 5;
  while (putA.blake3.slice(0, n) === putB.blake3.slice(0, n)) n++;
  assert.equal(store.resolve(putA.blake3.slice(0, n)).blake3, putA.blake3);
  assert.equal(store.resolve(putB.blake3.slice(0, n)).blake3, putB.blake3);
});

Deno.test("identity: more than ten candidates are reported as 'more than 10'", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  // Hash deterministic blobs until eleven share a 4-character prefix (~200k hashes).
  const buckets = new Map<string, Uint8Array[]>();
  let found: Uint8Array[] | undefined;
  for (let i = 0; !found; i++) {
    const bytes = utf8(`many ${i}`);
    const prefix = blake3Hex(bytes).slice(0, 4);
    const bucket = buckets.get(prefix) ?? [];
    bucket.push(bytes);
    buckets.set(prefix, bucket);
    if (bucket.length === 11) found = bucket;
  }
  const puts = store.putMany(found.map((bytes) => ({ bytes }))).results;
  const prefix = puts[0].blake3.slice(0, 4);
  const err = throwsCode(() => store.resolve(prefix), "EAMBIGUOUS");
  assert.match(err.message, /more than 10/);
  const candidates = err.details!.candidates as string[];
  assert.equal(candidates.length, 10);
  for (const c of candidates) {
    assert.ok(puts.some((p) => p.blake3 === c));
    assert.ok(err.message.includes(c));
  }
});

Deno.test("identity: malformed references are usage errors (exit code 2)", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  const put = store.put(utf8("x"));
  const bad = [
    put.blake3.slice(0, 3), // too short
    "abc",
    `blake3:${put.blake3.slice(0, 3)}`,
    `sha256:${put.sha256.slice(0, 3)}`,
    "zzzz", // not hex, not a URI
    "blake3:zzzz",
    "sha256:12345g",
    put.blake3 + "0", // 65 hex characters
    "",
    "no scheme here",
  ];
  for (const text of bad) {
    const err = throwsCode(() => store.resolve(text), "EUSAGE");
    assert.ok(err instanceof UsageError, text);
    assert.equal(err.exitCode, 2, text);
    assert.ok(err.hint, text);
  }
});

Deno.test("identity: unknown hashes, prefixes and URIs are ENOTFOUND", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  const put = store.put(utf8("known"));
  // A different first character guarantees no match.
  const other = (hex: string) => (hex[0] === "0" ? "1" : "0") + hex.slice(1);
  for (
    const text of [
      other(put.blake3),
      other(put.sha256),
      `blake3:${other(put.blake3)}`,
      `sha256:${other(put.sha256)}`,
      other(put.blake3).slice(0, 4),
      `sha256:${other(put.sha256).slice(0, 6)}`,
      "extension:nope",
    ]
  ) {
    const err = throwsCode(() => store.resolve(text), "ENOTFOUND");
    assert.equal(err.exitCode, 1);
    assert.ok(err.hint, text);
  }
  throwsCode(() => store.readKey(other(put.blake3)), "ENOTFOUND");
  assert.deepEqual(store.readKey(put.blake3), utf8("known"));
  // A bare prefix names a BLAKE3 prefix, never a SHA-256 one.
  if (!put.blake3.startsWith(put.sha256.slice(0, 8))) {
    throwsCode(() => store.resolve(put.sha256.slice(0, 8)), "ENOTFOUND");
  }
});
