/**
 * `.load NAME` / `--load NAME` where NAME is no file but an extension the cache knows
 * (`extension:NAME`, bound by `sqlink ext add`, `sqlink sync` or an earlier `.load`): the
 * blob is read back verified and loads like a file would, its origin the one recorded.
 */
import type { CasStore } from "../cas/store.ts";
import { SqlinkError } from "../errors.ts";
import { findInstalled } from "../install/installed.ts";
import type { CheckedFile, NamedLookup } from "./load.ts";
import { extensionNameProblem, librarySuffix } from "./name.ts";

/** A lookup of bare names in `cas` (see NamedLookup); unknown names are left to the caller. */
export function cachedByName(cas: CasStore): NamedLookup {
  return (name: string, typed: string): CheckedFile | undefined => {
    if (extensionNameProblem(name) !== undefined) return undefined;
    let info;
    try {
      info = cas.resolve(`extension:${name}`);
    } catch (err) {
      if (err instanceof SqlinkError && err.code === "ENOTFOUND") return undefined;
      throw err;
    }
    const installed = cas.guard(() => findInstalled(cas.db, name));
    return {
      typed,
      name,
      fileName: `${name}${librarySuffix()}`,
      bytes: cas.read(info),
      entryPoint: null,
      origin: installed?.blake3 === info.blake3 ? installed.origin : `extension:${name}`,
    };
  };
}
