/**
 * Verification stamps (lib/ext/stamp.ts): trusted only when taken more than a second after
 * the file's last change, so a rewrite within the change time's whole second never passes
 * for the verified file.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  stampedDigest,
  stampMatches,
  startStamp,
  verifiedDigest,
  writeStamp,
} from "../../lib/ext/stamp.ts";
import { tempDir } from "../helpers/cli.ts";
import { sleep } from "../helpers/extensions.ts";

const hashOf = (path: string) => Deno.readTextFileSync(path);

/** Rewrite `path` in place with `text` (same size) and put its modification time back. */
function forge(path: string, text: string): void {
  const before = Deno.statSync(path);
  const file = Deno.openSync(path, { write: true });
  file.writeSync(new TextEncoder().encode(text));
  file.close();
  Deno.utimeSync(path, before.atime!, before.mtime!);
}

Deno.test("stamp: a fresh stamp only claims; a rewrite in the same second is caught by the re-hash", () => {
  using dir = tempDir();
  const path = join(dir.path, "x.so");
  Deno.writeTextFileSync(path, "good");
  writeStamp(path, "good", startStamp(path));
  assert.equal(stampedDigest(path), undefined, "a stamp taken in the file's change second");
  forge(path, "evil");
  assert.equal(stampMatches(path, "good"), false);
  assert.equal(verifiedDigest(path, hashOf), undefined);
});

Deno.test("stamp: a settled stamp is trusted until any write, which lands in a later second", async () => {
  using dir = tempDir();
  const path = join(dir.path, "x.so");
  Deno.writeTextFileSync(path, "good");
  writeStamp(path, "good"); // a claim (no ticket): never trusted by itself
  await sleep(1200);
  assert.equal(stampedDigest(path), undefined);
  let hashed = 0;
  const counting = (p: string) => (hashed++, hashOf(p));
  assert.equal(verifiedDigest(path, counting), "good");
  assert.equal(hashed, 1, "the claim was checked by hashing");
  assert.equal(stampedDigest(path), "good", "renewed after the hash: now trusted");
  assert.equal(verifiedDigest(path, counting), "good");
  assert.equal(hashed, 1, "a trusted stamp needs no hash");
  forge(path, "evil");
  assert.equal(stampedDigest(path), undefined);
  assert.equal(verifiedDigest(path, counting), undefined);
});

Deno.test("stamp: no stamp, a missing file, a directory or a garbled stamp verify nothing", () => {
  using dir = tempDir();
  const path = join(dir.path, "x.so");
  assert.equal(verifiedDigest(path, hashOf), undefined);
  Deno.writeTextFileSync(path, "good");
  assert.equal(verifiedDigest(path, hashOf), undefined);
  Deno.writeTextFileSync(join(dir.path, ".x.so.verified"), "{not json");
  assert.equal(verifiedDigest(path, hashOf), undefined);
  assert.equal(startStamp(dir.path), undefined);
});
