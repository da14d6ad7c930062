/**
 * Where materialized extensions live: `<root>/ext/<blake3>/<file name>` (SPEC §2). Names
 * and hashes reach here from archives, URIs, registries and baked programs, so the final
 * path is checked to stay inside its `ext/<blake3>/` directory whatever they hold.
 */
import { dirname, join, resolve } from "../path.ts";
import { SqlinkError } from "../errors.ts";
import { extensionNameProblem, librarySuffix, shownName } from "./name.ts";

const BLAKE3_HEX = /^[0-9a-f]{64}$/;

/** The directory holding materialized copies of the artifact `blake3`. */
export function materializedDir(root: string, blake3: string): string {
  if (!BLAKE3_HEX.test(blake3)) {
    throw new SqlinkError(
      "EBADNAME",
      `Cannot materialize "${shownName(blake3)}": it is not a BLAKE3 hash`,
      { hint: "Run `sqlink cas verify` to check the cas-cache" },
    );
  }
  return join(root, "ext", blake3);
}

/**
 * The path the artifact `blake3` is materialized at under `fileName`: refused unless the
 * file name's stem is a valid extension name and the resolved path lies directly inside
 * `<root>/ext/<blake3>/`.
 */
export function materializedPath(root: string, blake3: string, fileName: string): string {
  const dir = resolve(materializedDir(root, blake3));
  const stem = fileName.replace(/\.[^.]*$/, "");
  const problem = extensionNameProblem(stem) ??
    (dirname(resolve(dir, fileName)) === dir ? undefined : "it leads out of the cache");
  if (problem !== undefined) {
    throw new SqlinkError(
      "EBADNAME",
      `Cannot materialize "${shownName(fileName)}": ${problem}`,
      {
        hint: "Extension file names are plain names such as vec0.so; nothing was written",
        details: { fileName },
      },
    );
  }
  return join(dir, fileName);
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
