/**
 * lib/bundle/set_hash.ts (SPEC §6.1): the test vector, refusals, order independence, what
 * is left out of the identity, and bytewise UTF-8 ordering (not JS's UTF-16 order).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { canonicalMembers, setHash, type SetMember, setText } from "../../lib/bundle/set_hash.ts";
import { blake3Hex } from "../../lib/cas/blake3.ts";
import { SqlinkError } from "../../lib/errors.ts";

const encoder = new TextEncoder();

function b3(text: string): string {
  return blake3Hex(encoder.encode(text));
}

/** SHA-256 hex, computed independently of lib/. */
function sha256(text: string): string {
  return createHash("sha256").update(encoder.encode(text)).digest("hex");
}

function member(extensionName: string, contentHash = b3(extensionName)): SetMember {
  return { extensionName, contentHash };
}

/** Every order of `items`. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest])
  );
}

function refused(members: SetMember[], message: RegExp): SqlinkError {
  try {
    setHash(members);
  } catch (err) {
    assert.ok(err instanceof SqlinkError, `expected a SqlinkError, got ${err}`);
    assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(members)} to be refused`);
}

Deno.test("BLAKE3 is the real one (known vectors), so the test vector below means something", () => {
  assert.equal(
    b3(""),
    "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
  );
  assert.equal(
    b3("abc"),
    "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85",
  );
});

Deno.test("set_hash: the SPEC §6.1 test vector (uuid, json1, case)", () => {
  const members = [member("uuid"), member("json1"), member("case")];
  const expected = "8cbb3420ed4cbef44a80dcccd986f10a6f58acdf44a5c6cf09ba4b91430c9166";
  assert.equal(setHash(members), expected);
  // The same by hand: sorted lines `<name>\t<blake3>\n`, SHA-256 lowercase hex.
  const text = ["case", "json1", "uuid"].map((n) => `${n}\t${b3(n)}\n`).join("");
  assert.equal(setText(members), text);
  assert.equal(sha256(text), expected);
  assert.match(setHash(members), /^[0-9a-f]{64}$/);
});

Deno.test("set_hash: any order of the members gives the same hash", () => {
  const members = [member("uuid"), member("json1"), member("case"), member("vec0")];
  const hashes = new Set(permutations(members).map(setHash));
  assert.equal(hashes.size, 1);
  assert.deepEqual(
    canonicalMembers(members.toReversed()).map((m) => m.extensionName),
    ["case", "json1", "uuid", "vec0"],
  );
});

Deno.test("set_hash: the empty set is refused", () => {
  const err = refused([], /empty/i);
  assert.ok(err.hint, "says what to do");
});

Deno.test("set_hash: one name with two hashes is refused; the same member twice is one member", () => {
  const err = refused(
    [member("vec0", b3("vec0 0.1.6")), member("json1"), member("vec0", b3("vec0 0.1.9"))],
    /vec0/,
  );
  assert.match(err.message, new RegExp(b3("vec0 0.1.6").slice(0, 12)));
  assert.match(err.message, new RegExp(b3("vec0 0.1.9").slice(0, 12)));
  assert.equal(
    setHash([member("uuid"), member("uuid"), member("json1")]),
    setHash([member("uuid"), member("json1")]),
  );
});

Deno.test("set_hash: two names with the same bytes are two members", () => {
  const same = b3("shared bytes");
  const both = setHash([member("a", same), member("b", same)]);
  assert.notEqual(both, setHash([member("a", same)]));
  assert.equal(both, sha256(`a\t${same}\nb\t${same}\n`));
});

Deno.test("set_hash: entry point and load order are not part of it", () => {
  const plain = [member("uuid"), member("json1")];
  const withUse = [
    { ...member("json1"), entryPoint: "sqlite3_json_init", loadOrder: 0 },
    { ...member("uuid"), entryPoint: "uuid_alt_init", loadOrder: 1 },
  ];
  assert.equal(setHash(withUse), setHash(plain));
  assert.doesNotMatch(setText(withUse), /init/);
});

Deno.test("set_hash: names and hashes change it", () => {
  const base = setHash([member("uuid"), member("json1")]);
  assert.notEqual(setHash([member("uuid"), member("json2", b3("json1"))]), base);
  assert.notEqual(setHash([member("uuid"), member("json1", b3("json2"))]), base);
  assert.notEqual(setHash([member("uuid")]), base);
});

Deno.test("set_hash: names sort by their UTF-8 bytes, not by JS (UTF-16) string order", () => {
  const fullwidthA = "\uFF21"; // UTF-8 EF BC A1; UTF-16 FF21
  const grinning = "\u{1F600}"; // UTF-8 F0 9F 98 80; UTF-16 D83D DE00
  // The two orders disagree for this pair, which is the point of the test.
  assert.ok(grinning < fullwidthA, "JS order puts the surrogate pair first");
  const members = [member(grinning), member(fullwidthA)];
  const expectedText = `${fullwidthA}\t${b3(fullwidthA)}\n${grinning}\t${b3(grinning)}\n`;
  assert.equal(setText(members), expectedText);
  assert.equal(setText(members.toReversed()), expectedText);
  assert.equal(setHash(members), sha256(expectedText));
  assert.notEqual(
    setHash(members),
    sha256(`${grinning}\t${b3(grinning)}\n${fullwidthA}\t${b3(fullwidthA)}\n`),
  );
  // Plain ASCII against non-ASCII, and prefixes before longer names.
  assert.deepEqual(
    canonicalMembers([member("é"), member("z"), member("vec"), member("vec0"), member(grinning)])
      .map((m) => m.extensionName),
    ["vec", "vec0", "z", "é", grinning],
  );
});

Deno.test("set_hash: malformed members are refused with a clear message", () => {
  refused([member("")], /name/i);
  refused([member("a\tb")], /name/i);
  refused([member("a\nb")], /name/i);
  refused([{ extensionName: "uuid", contentHash: "not-a-hash" }], /not a BLAKE3 hash/);
  refused([{ extensionName: "uuid", contentHash: b3("uuid").toUpperCase() }], /BLAKE3/);
  refused([{ extensionName: "uuid", contentHash: b3("uuid").slice(0, 63) }], /BLAKE3/);
});
