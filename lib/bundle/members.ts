/**
 * The members of `sqlink bundle save NAME MEMBER...`: each a library file (cached like
 * `.load`) or an `extension:<name>` URI already bound in the cache. Every one is loaded
 * into a scratch connection first, so only sets that work are saved.
 */
import type { CasStore } from "../cas/store.ts";
import { missingMembers } from "./registry.ts";
import { loadExtensionFile } from "../ext/load.ts";
import { checkLoadable } from "../ext/header.ts";
import { ExtensionSet, loadInto, scratchConnection } from "../ext/loaded.ts";
import { memberFileName } from "../ext/location.ts";
import { checkExtensionName } from "../ext/name.ts";
import { materialize } from "../ext/materialize.ts";
import { blake3Hex } from "../cas/blake3.ts";

/** The extension set `refs` name, in order, each checked by loading it. */
export function collectMembers(cas: CasStore, root: string, refs: readonly string[]): ExtensionSet {
  const set = new ExtensionSet();
  const scratch = scratchConnection(refs[0]);
  try {
    for (const ref of refs) {
      if (!ref.startsWith("extension:")) {
        loadExtensionFile({ cas, root, db: scratch, set }, { path: ref });
        continue;
      }
      // A binding made before names were checked may hold anything: check before any file.
      const name = checkExtensionName(ref.slice("extension:".length), `Cannot use "${ref}"`);
      const info = cas.resolve(ref);
      // As for a file: a library for another machine is named as such, never handed to dlopen.
      const bytes = cas.readKey(info.blake3);
      checkLoadable(ref, bytes);
      const ext = {
        name,
        blake3: info.blake3,
        path: materialize(cas, root, info.blake3, memberFileName(name), bytes),
        entryPoint: null,
        origin: ref,
      };
      if (set.checkNew(name, ext.blake3, ref)) continue;
      loadInto(scratch, ext, ref);
      set.add(ext);
    }
  } finally {
    scratch.close();
  }
  return set;
}

/**
 * Put a baked program's embedded extensions into the cache (it runs them from verified
 * materialized copies, and never cached them), so that the set it runs can be saved as a
 * bundle. Other members whose blobs are gone stay missing: the save names them.
 */
export function cacheEmbeddedBlobs(cas: CasStore, set: ExtensionSet): void {
  const embedded = set.members.filter((m) => m.origin.startsWith("embedded:"));
  const missing = missingMembers(
    cas,
    embedded.map((m) => ({ extensionName: m.name, contentHash: m.blake3, entryPoint: null })),
  );
  for (const member of missing) {
    const ext = set.find(member.extensionName)!;
    // A copy changed since it was verified at start is left out (the save names it missing).
    let bytes: Uint8Array;
    try {
      bytes = Deno.readFileSync(ext.path);
    } catch {
      continue;
    }
    if (blake3Hex(bytes) !== ext.blake3) continue;
    cas.put(bytes, { uri: `extension:${ext.name}` });
  }
}
