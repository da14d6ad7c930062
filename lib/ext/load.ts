/**
 * `.load PATH [ENTRY]` and `--load PATH` (SPEC §5): read and check the file, put it in the
 * cas-cache (or find it there), materialize it, load the materialized copy, and only then
 * bind `extension:<name>` and `file://<path>` to it and remember it. A file that fails to
 * load leaves nothing behind: no binding, no memory, and no blob it alone added.
 */
import type { DatabaseSync } from "node:sqlite";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { fsError, SqlinkError } from "../errors.ts";
import type { CasStore } from "../cas/store.ts";
import { checkLoadable, HEADER_BYTES } from "./header.ts";
import { checkFfiAllowed, type ExtensionSet, type LoadedExtension, loadInto } from "./loaded.ts";
import { discardMaterialized, materialize } from "./materialize.ts";
import { extensionName, librarySuffix } from "./name.ts";

/** What `.load` was asked to do. */
export interface LoadRequest {
  /** The file as the user typed it. */
  path: string;
  /** The entry point, or undefined for SQLite's default. */
  entryPoint?: string;
}

/** What a load did. */
export interface LoadOutcome {
  extension: LoadedExtension;
  /** False when this build was already loaded in the session (nothing was done). */
  loaded: boolean;
}

/** Where the cas-cache and the materialized copies live, and the connection to load into. */
export interface LoadTarget {
  cas: CasStore;
  /** The cache root (`<root>/ext/…`). */
  root: string;
  db: DatabaseSync;
  set: ExtensionSet;
}

/** Read the file the user named; like SQLite, `vec0` finds `vec0.so` when only that exists. */
function readLibrary(typed: string): { path: string; bytes: Uint8Array } {
  const path = resolve(typed);
  const candidates = [path, path + librarySuffix()];
  for (const candidate of candidates) {
    try {
      const info = Deno.statSync(candidate);
      if (info.isDirectory) {
        throw new SqlinkError("EISDIR", `Cannot load "${typed}": it is a directory`, {
          hint: "Name the extension's shared library file",
        });
      }
      return { path: candidate, bytes: Deno.readFileSync(candidate) };
    } catch (err) {
      if (err instanceof Deno.errors.NotFound && candidate !== candidates.at(-1)) continue;
      if (err instanceof Deno.errors.NotFound) {
        throw new SqlinkError("ENOENT", `Cannot load "${typed}": no such file`, {
          hint: "Check the path; give the extension's shared library file",
          cause: err,
        });
      }
      throw fsError(err, "read", typed);
    }
  }
  throw new Error("unreachable");
}

/** Load one extension file into `target.db` and the session's set. */
export function loadExtensionFile(target: LoadTarget, request: LoadRequest): LoadOutcome {
  checkFfiAllowed(request.path);
  const { path, bytes } = readLibrary(request.path);
  checkLoadable(path, bytes.subarray(0, HEADER_BYTES));
  const name = extensionName(path);
  const entryPoint = request.entryPoint ?? null;
  const put = target.cas.put(bytes);
  const undoPut = () => {
    if (put.created && target.cas.discardUnused(put.blake3)) {
      discardMaterialized(target.root, put.blake3, basename(path));
    }
  };
  try {
    if (target.set.checkNew(name, put.blake3, request.path)) {
      return { extension: target.set.find(name)!, loaded: false };
    }
  } catch (err) {
    undoPut();
    throw err;
  }
  const fileName = basename(path);
  const extension: LoadedExtension = {
    name,
    blake3: put.blake3,
    path: materialize(target.cas, target.root, put.blake3, fileName, bytes),
    entryPoint,
    origin: pathToFileURL(path).href,
  };
  try {
    loadInto(target.db, extension, request.path);
  } catch (err) {
    undoPut();
    throw err;
  }
  target.cas.bindUris([`extension:${name}`, extension.origin], put.blake3);
  target.set.add(extension);
  return { extension, loaded: true };
}
