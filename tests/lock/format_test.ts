/** The lock file's text: stable, sorted, and read strictly. */
import assert from "node:assert/strict";
import { type Lock, parseLock, platformSets, serializeLock } from "../../lib/lock/format.ts";
import { setHash } from "../../lib/bundle/set_hash.ts";

const H = (c: string) => c.repeat(64);

Deno.test("serializeLock: sorted keys, members in load order, set hash per complete platform; parse round-trips", () => {
  const lock: Lock = {
    bundles: {
      zeta: {
        members: [
          {
            name: "vec0",
            entryPoint: null,
            source: "npm:sqlite-vec@0.1.6",
            version: "0.1.6",
            platforms: {
              "x86_64-unknown-linux-gnu": {
                origin: "npm:sqlite-vec-linux-x64@0.1.6/vec0.so",
                blake3: H("a"),
                sha256: H("b"),
                size: 3,
              },
              "aarch64-apple-darwin": {
                origin: "npm:sqlite-vec-darwin-arm64@0.1.6/vec0.dylib",
                blake3: H("c"),
                sha256: H("d"),
                size: 4,
              },
            },
          },
          {
            name: "lines0",
            entryPoint: "sqlite3_lines_init",
            source: "npm:sqlite-lines@0.2.2",
            version: "0.2.2",
            platforms: {
              "x86_64-unknown-linux-gnu": {
                origin: "npm:sqlite-lines-linux-x64@0.2.2/lib/lines0.so",
                blake3: H("e"),
                sha256: H("f"),
                size: 5,
              },
            },
          },
        ],
      },
    },
  };
  const text = serializeLock(lock);
  assert.ok(text.endsWith("}\n"));
  // Keys sorted at every level; the member list keeps its (load) order.
  assert.ok(text.indexOf('"aarch64-apple-darwin"') < text.indexOf('"x86_64-unknown-linux-gnu"'));
  assert.ok(text.indexOf('"name": "vec0"') < text.indexOf('"name": "lines0"'));
  const json = JSON.parse(text);
  assert.deepEqual(json.bundles.zeta.members.map((m: { loadOrder: number }) => m.loadOrder), [
    0,
    1,
  ]);
  assert.deepEqual(json.bundles.zeta.sets, {
    "x86_64-unknown-linux-gnu": setHash([
      { extensionName: "vec0", contentHash: H("a") },
      { extensionName: "lines0", contentHash: H("e") },
    ]),
  });
  assert.deepEqual(platformSets(lock.bundles.zeta), json.bundles.zeta.sets);
  assert.equal(serializeLock(parseLock(text)), text);
});
