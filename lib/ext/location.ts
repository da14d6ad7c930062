/** Where materialized extensions live: `<root>/ext/<blake3>/<file name>` (SPEC §2). */
import { join } from "node:path";
import { librarySuffix } from "./name.ts";

/** The directory holding materialized copies of the artifact `blake3`. */
export function materializedDir(root: string, blake3: string): string {
  return join(root, "ext", blake3);
}

/**
 * The file name a bundle member is materialized under: `<name><suffix>`. SQLite derives
 * the same default entry point from it as from the file the member was first loaded from
 * (both keep the letters before the first dot, after any `lib`), and a fixed name keeps
 * a copy under another name from ever standing in for it.
 */
export function memberFileName(name: string): string {
  return name + librarySuffix();
}
