/**
 * The members of `sqlink bundle save NAME MEMBER...`: each a library file (cached like
 * `.load`) or an `extension:<name>` URI already bound in the cache. Every one is loaded
 * into a scratch connection first, so only sets that work are saved.
 */
import type { CasStore } from "../cas/store.ts";
import { loadExtensionFile } from "../ext/load.ts";
import { ExtensionSet, loadInto, scratchConnection } from "../ext/loaded.ts";
import { memberFileName } from "../ext/location.ts";
import { materialize } from "../ext/materialize.ts";

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
      const name = ref.slice("extension:".length);
      const info = cas.resolve(ref);
      const ext = {
        name,
        blake3: info.blake3,
        path: materialize(cas, root, info.blake3, memberFileName(name)),
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
