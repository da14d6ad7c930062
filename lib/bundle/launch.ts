/**
 * Starting a shell with extensions (SPEC §5, §6.4): `--bundle REF` / `--bundle-load REF`
 * materialize the bundle's members from the cas-cache, `--load PATH` goes through the same
 * pipeline as `.load`; the session then loads the set into every connection it opens.
 */
import { DatabaseSync } from "node:sqlite";
import { SqlinkError } from "../errors.ts";
import type { CasStore } from "../cas/store.ts";
import { loadExtensionFile } from "../ext/load.ts";
import { ExtensionSet, loadInto } from "../ext/loaded.ts";
import { materialize, materializedDir } from "../ext/materialize.ts";
import { librarySuffix } from "../ext/name.ts";
import {
  type Bundle,
  findBundle,
  missingBlobsError,
  missingMembers,
  touchBundle,
} from "./registry.ts";

/** What the command line asked for. */
export interface LaunchRequest {
  bundle: { ref: string; mode: "auto" | "load" | "baked" } | null;
  loads: readonly string[];
}

/** The target triple of this machine, as Deno names it (`x86_64-unknown-linux-gnu`). */
export function hostTarget(): string {
  return Deno.build.target;
}

/** The file name a member is materialized under: one already there, else `<name><suffix>`. */
function memberFileName(root: string, name: string, blake3: string): string {
  try {
    for (const entry of Deno.readDirSync(materializedDir(root, blake3))) {
      if (entry.isFile && !entry.name.startsWith(".")) return entry.name;
    }
  } catch {
    // Not materialized yet.
  }
  return name + librarySuffix();
}

/** Materialize a bundle's members (verified) into `set`, in load order. */
export function addBundle(cas: CasStore, root: string, bundle: Bundle, set: ExtensionSet): void {
  const missing = missingMembers(cas, bundle.members);
  if (missing.length > 0) {
    throw missingBlobsError(`Cannot load bundle "${bundle.name}"`, missing);
  }
  for (const member of bundle.members) {
    const fileName = memberFileName(root, member.extensionName, member.contentHash);
    set.add({
      name: member.extensionName,
      blake3: member.contentHash,
      path: materialize(cas, root, member.contentHash, fileName),
      entryPoint: member.entryPoint,
      origin: `bundle:${bundle.name}`,
    });
  }
  touchBundle(cas, bundle);
}

function notBuilt(bundle: Bundle, target: string): SqlinkError {
  return new SqlinkError(
    "ENOTBUILT",
    `Bundle "${bundle.name}" is not built for ${target}: it has no baked binary`,
    {
      hint:
        `Launch with --bundle-load ${bundle.name} to load its members instead (baking comes with \`.bundle build\`)`,
    },
  );
}

/**
 * The extension set a launch starts with: the bundle's members, then each `--load` file
 * (checked by loading it into a scratch connection, so a bad file stops the launch before
 * any database is touched).
 */
export function prepareLaunch(cas: CasStore, root: string, request: LaunchRequest): ExtensionSet {
  const set = new ExtensionSet();
  if (request.bundle) {
    const bundle = findBundle(cas, request.bundle.ref);
    if (request.bundle.mode === "baked") throw notBuilt(bundle, hostTarget());
    addBundle(cas, root, bundle, set);
  }
  if (request.loads.length > 0) {
    const scratch = new DatabaseSync(":memory:", { allowExtension: true });
    try {
      set.loadAll(scratch);
      for (const path of request.loads) {
        loadExtensionFile({ cas, root, db: scratch, set }, { path });
      }
    } finally {
      scratch.close();
    }
  }
  return set;
}

/**
 * The extension set for `sqlink bundle save NAME MEMBER...`: each member a library file
 * (put in the cache like `.load`) or an `extension:<name>` URI already bound in the cache;
 * every one is loaded into a scratch connection first, so only working sets are saved.
 */
export function collectMembers(cas: CasStore, root: string, refs: readonly string[]): ExtensionSet {
  const set = new ExtensionSet();
  const scratch = new DatabaseSync(":memory:", { allowExtension: true });
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
        path: materialize(cas, root, info.blake3, memberFileName(root, name, info.blake3)),
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
