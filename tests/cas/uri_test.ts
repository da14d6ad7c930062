/**
 * URIs (SPEC §3.3): loose many-to-one handles; setting one that points elsewhere rebinds it;
 * set and resolve touch last_used_at of the URI and of its artifact.
 */
import assert from "node:assert/strict";
import type { CasStore } from "../../lib/cas/store.ts";
import { UsageError } from "../../lib/errors.ts";
import { count, openStore, tempDir, throwsCode, utf8 } from "./helpers.ts";

function uriRow(store: CasStore, uri: string): { blake3: string; created: number; used: number } {
  const row = store.db.prepare(`SELECT * FROM __cas_uri WHERE uri = ?`).get(uri);
  assert.ok(row, `no row for ${uri}`);
  return {
    blake3: String(row.blake3),
    created: Number(row.created_at),
    used: Number(row.last_used_at),
  };
}

function artifactUsed(store: CasStore, blake3: string): number {
  return Number(
    store.db.prepare(`SELECT last_used_at FROM __cas_artifact WHERE blake3 = ?`).get(blake3)!
      .last_used_at,
  );
}

/** Put every LRU clock back to `at`, so a later touch is visible as an increase. */
function rewind(store: CasStore, at = 1): void {
  store.db.exec(`UPDATE __cas_artifact SET last_used_at = ${at}; UPDATE __cas_uri SET
    last_used_at = ${at}, created_at = ${at}`);
}

Deno.test("uri: set binds, setting again to other bytes rebinds, and reports the previous", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  const v1 = store.put(utf8("vec0 v0.1.6"));
  const v2 = store.put(utf8("vec0 v0.1.9"));

  const first = store.setUri("extension:vec0", v1.blake3);
  assert.equal(first.blake3, v1.blake3);
  assert.equal(first.previous, undefined);
  assert.equal(store.resolve("extension:vec0").blake3, v1.blake3);

  const rebound = store.setUri("extension:vec0", `sha256:${v2.sha256}`);
  assert.deepEqual(rebound, { blake3: v2.blake3, previous: v1.blake3 });
  assert.equal(store.resolve("extension:vec0").blake3, v2.blake3);
  assert.deepEqual(store.read(store.resolve("extension:vec0")), utf8("vec0 v0.1.9"));
  // Both artifacts stay: a URI is only a handle.
  assert.equal(count(store, "__cas_artifact"), 2);
  assert.equal(count(store, "__cas_uri"), 1);

  // Setting it to the artifact it already names is a no-op rebind.
  assert.deepEqual(store.setUri("extension:vec0", v2.blake3), {
    blake3: v2.blake3,
    previous: v2.blake3,
  });

  // A URI can be set by naming the artifact through another URI.
  store.setUri("file:///abs/path/vec0.so", "extension:vec0");
  assert.equal(store.resolve("file:///abs/path/vec0.so").blake3, v2.blake3);

  // Rebinding via put with a URI works the same way.
  store.put(utf8("vec0 v0.2.0"), { uri: "extension:vec0" });
  assert.deepEqual(store.read(store.resolve("extension:vec0")), utf8("vec0 v0.2.0"));
});

Deno.test("uri: a rebind keeps created_at and moves last_used_at", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  const a = store.put(utf8("a"), { uri: "extension:x" });
  const b = store.put(utf8("b"));
  rewind(store);
  store.setUri("extension:x", b.blake3);
  const row = uriRow(store, "extension:x");
  assert.equal(row.blake3, b.blake3);
  assert.equal(row.created, 1);
  assert.ok(row.used > 1);
  assert.ok(artifactUsed(store, b.blake3) > 1);
  assert.equal(artifactUsed(store, a.blake3), 1, "the old target is not touched");
});

Deno.test("uri: resolve touches last_used_at of the URI and of its artifact", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  const put = store.put(utf8("touch me"), { uri: "extension:touch" });
  const other = store.put(utf8("leave me"), { uri: "extension:leave" });
  rewind(store);
  const before = Date.now();
  const info = store.resolve("extension:touch");
  const after = Date.now();
  const uri = uriRow(store, "extension:touch");
  assert.ok(uri.used >= before && uri.used <= after, `uri last_used_at ${uri.used}`);
  const used = artifactUsed(store, put.blake3);
  assert.ok(used >= before && used <= after, `artifact last_used_at ${used}`);
  assert.equal(info.lastUsedAt, used, "the returned info is the touched row");
  // Nothing else moved.
  assert.equal(uriRow(store, "extension:leave").used, 1);
  assert.equal(artifactUsed(store, other.blake3), 1);

  // Each later resolve moves the clocks forward again.
  rewind(store, 5);
  store.resolve("extension:touch");
  assert.ok(uriRow(store, "extension:touch").used > 5);
  assert.ok(artifactUsed(store, put.blake3) > 5);

  // Resolving by hash is a lookup, not a use of the URI.
  rewind(store, 7);
  store.resolve(put.blake3);
  assert.equal(uriRow(store, "extension:touch").used, 7);

  // Explicit touch moves the artifact only.
  store.touch(put.blake3);
  assert.ok(artifactUsed(store, put.blake3) > 7);
  assert.equal(uriRow(store, "extension:touch").used, 7);
});

Deno.test("uri: setUri touches the URI and the artifact", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  const put = store.put(utf8("set me"));
  rewind(store);
  store.setUri("extension:set", put.blake3);
  assert.ok(uriRow(store, "extension:set").used > 1);
  assert.ok(artifactUsed(store, put.blake3) > 1);
});

Deno.test("uri: remove unbinds, keeps the artifact, and unknown URIs are ENOTFOUND", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  const put = store.put(utf8("keep the bytes"), { uri: "extension:gone" });
  store.setUri("extension:stays", put.blake3);
  assert.equal(store.removeUri("extension:gone"), put.blake3);
  throwsCode(() => store.resolve("extension:gone"), "ENOTFOUND");
  throwsCode(() => store.removeUri("extension:gone"), "ENOTFOUND");
  throwsCode(() => store.removeUri("extension:never"), "ENOTFOUND");
  assert.ok(store.info(put.blake3), "the artifact is still there");
  assert.equal(store.resolve("extension:stays").blake3, put.blake3);
  assert.deepEqual(store.uris().map((u) => u.uri), ["extension:stays"]);
});

Deno.test("uri: list is sorted by URI, and filtered by artifact when asked", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  const a = store.put(utf8("a"), { uri: "extension:zeta" });
  store.setUri("extension:alpha", a.blake3);
  const b = store.put(utf8("b"), { uri: "file:///b.so" });
  store.setUri("extension:mid", b.blake3);

  const all = store.uris();
  assert.deepEqual(all.map((u) => [u.uri, u.blake3]), [
    ["extension:alpha", a.blake3],
    ["extension:mid", b.blake3],
    ["extension:zeta", a.blake3],
    ["file:///b.so", b.blake3],
  ]);
  for (const u of all) {
    assert.ok(u.createdAt > 0);
    assert.ok(u.lastUsedAt >= u.createdAt);
  }
  assert.deepEqual(store.uris(a.blake3).map((u) => u.uri), ["extension:alpha", "extension:zeta"]);
  assert.deepEqual(store.uris("extension:mid").map((u) => u.uri), [
    "extension:mid",
    "file:///b.so",
  ]);
  assert.deepEqual(store.list().map((x) => x.uris), [
    ["extension:alpha", "extension:zeta"],
    ["extension:mid", "file:///b.so"],
  ]);
  assert.equal(store.stats().uris, 4);
});

Deno.test("uri: a URI without a scheme is a usage error and binds nothing", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  const put = store.put(utf8("x"));
  for (const bad of ["vec0", ":vec0", "1ext:vec0", "extension:"]) {
    const err = throwsCode(() => store.setUri(bad, put.blake3), "EUSAGE");
    assert.ok(err instanceof UsageError);
    assert.equal(err.exitCode, 2);
  }
  // A bad URI in a batch put rolls back the whole batch.
  throwsCode(
    () =>
      store.putMany([{ bytes: utf8("first"), uri: "extension:ok" }, {
        bytes: utf8("y"),
        uri: "bad",
      }]),
    "EUSAGE",
  );
  assert.equal(count(store, "__cas_uri"), 0);
  assert.equal(count(store, "__cas_artifact"), 1);
});

Deno.test("uri: a URI whose artifact is gone resolves to ENOTFOUND", () => {
  using dir = tempDir();
  using store = openStore(dir.path);
  const put = store.put(utf8("soon gone"), { uri: "extension:dangling" });
  store.db.prepare(`DELETE FROM __cas_artifact WHERE blake3 = ?`).run(put.blake3);
  const err = throwsCode(() => store.resolve("extension:dangling"), "ENOTFOUND");
  assert.match(err.message, /no longer/);
});
