/**
 * `sqlink ext rm NAME`: forget an installed extension and unbind `extension:NAME` and its
 * origin URI, in one transaction. The blob stays: a bundle may pin it, and otherwise it is
 * evicted like any unused artifact.
 */
import type { CasStore } from "../cas/store.ts";
import { sql } from "../cas/statements.ts";
import { forgetInstalled, type Installed } from "./installed.ts";

/** Forget `name`; unknown → ENOTFOUND listing the installed names. */
export function uninstallExtension(cas: CasStore, name: string): Installed {
  return cas.write(() => {
    const removed = forgetInstalled(cas.db, name);
    sql(cas.db, `DELETE FROM __cas_uri WHERE uri IN (?, ?) AND blake3 = ?`).run(
      `extension:${name}`,
      removed.origin,
      removed.blake3,
    );
    return removed;
  });
}
