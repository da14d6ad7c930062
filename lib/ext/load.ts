/**
 * `.load PATH [ENTRY]` and `--load PATH` (SPEC §5): read and check the file, put it in the
 * cas-cache (or find it there), materialize it, load the materialized copy, and only then
 * bind `extension:<name>` and `file://<path>` to it and remember it. A file that fails to
 * load leaves nothing behind: no binding, no memory, and no blob it alone added.
 */
import { pathExists } from "../fs.ts";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { fsError, SqlinkError } from "../errors.ts";
import type { CasStore } from "../cas/store.ts";
import { checkLoadable } from "./header.ts";
import {
  checkFfiAllowed,
  type ExtensionHost,
  ExtensionSet,
  type LoadedExtension,
  loadInto,
  scratchConnection,
} from "./loaded.ts";
import { materializedPath } from "./location.ts";
import { discardMaterialized, materialize } from "./materialize.ts";
import { checkExtensionName, extensionName, librarySuffix } from "./name.ts";

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
  /** True when the file's bytes were new to the cas-cache (what write-through shares). */
  added: boolean;
}

/** Where the cas-cache and the materialized copies live, and the connection to load into. */
export interface LoadTarget {
  cas: CasStore;
  /** The cache root (`<root>/ext/…`). */
  root: string;
  db: ExtensionHost;
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
      // A device or a FIFO would be read forever (`/dev/zero`) or block until a writer comes.
      if (!info.isFile) {
        throw new SqlinkError("ENOTFILE", `Cannot load "${typed}": it is not a regular file`, {
          hint: "Name the extension's shared library file",
        });
      }
      checkExtensionName(extensionName(candidate), `Cannot load "${typed}"`);
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

/** A library read and checked, ready to cache and load: a file, or a blob named in the cache. */
export interface CheckedFile {
  /** As the user typed it. */
  typed: string;
  /** The extension name (`vec0`). */
  name: string;
  /** The file name it is materialized under (`vec0.so`). */
  fileName: string;
  bytes: Uint8Array;
  entryPoint: string | null;
  /** Where it came from: `file:///abs/vec0.so`, or an installed extension's origin. */
  origin: string;
}

/**
 * Finds `extension:NAME` in the cache for a `.load NAME` that names no file (an installed
 * extension, SPEC §5): the checked library, or undefined when the cache has no such name.
 */
export type NamedLookup = (name: string, typed: string) => CheckedFile | undefined;

/** A bare word that could be an extension name rather than a path. */
function bareName(typed: string): boolean {
  return !/[/\\]/.test(typed) && !typed.startsWith(".") && !/\.(so|dylib|dll)$/i.test(typed);
}

function checkFile(request: LoadRequest, byName?: NamedLookup): CheckedFile {
  checkFfiAllowed(request.path);
  let read: { path: string; bytes: Uint8Array };
  try {
    read = readLibrary(request.path);
  } catch (err) {
    const named = err instanceof SqlinkError && err.code === "ENOENT" && byName &&
        bareName(request.path)
      ? byName(request.path, request.path)
      : undefined;
    if (!named) throw err;
    return { ...named, entryPoint: request.entryPoint ?? null };
  }
  const { path, bytes } = read;
  checkLoadable(path, bytes);
  return {
    typed: request.path,
    name: extensionName(path),
    fileName: basename(path),
    bytes,
    entryPoint: request.entryPoint ?? null,
    origin: pathToFileURL(path).href,
  };
}

/** A loaded extension whose URIs are not bound yet, and how to take it all back. */
interface Staged {
  extension: LoadedExtension;
  /** False when this build was already in the set. */
  loaded: boolean;
  /** True when the put added the bytes to the cache. */
  added: boolean;
  undo(): void;
}

/**
 * Cache, materialize and load one checked file into `target.db` (not yet into the set, not
 * yet bound). On failure everything it added is removed again.
 */
function stage(target: LoadTarget, file: CheckedFile): Staged {
  const { name, fileName } = file;
  const put = target.cas.put(file.bytes);
  const materialized = materializedPath(target.root, put.blake3, fileName);
  const wasMaterialized = pathExists(materialized);
  const undo = () => {
    // Only what this load added goes: a blob others refer to, or a copy that was there
    // before, stays.
    if (put.created) target.cas.discardUnused(put.blake3);
    if (!wasMaterialized) discardMaterialized(target.root, put.blake3, fileName);
  };
  try {
    if (target.set.checkNew(name, put.blake3, file.typed)) {
      return { extension: target.set.find(name)!, loaded: false, added: false, undo: () => {} };
    }
    const extension: LoadedExtension = {
      name,
      blake3: put.blake3,
      path: materialize(target.cas, target.root, put.blake3, fileName, file.bytes),
      entryPoint: file.entryPoint,
      origin: file.origin,
    };
    loadInto(target.db, extension, file.typed);
    return { extension, loaded: true, added: put.created, undo };
  } catch (err) {
    undo();
    throw err;
  }
}

/** Bind `extension:<name>` and the file's URI, then remember the extension. */
function commit(target: LoadTarget, staged: Staged, origin: string): void {
  const { extension } = staged;
  target.cas.bindUris([`extension:${extension.name}`, origin], extension.blake3);
  if (staged.loaded) target.set.add(extension);
}

/**
 * Load one extension file into `target.db` and the session's set (`.load`); with `byName`,
 * a bare name that is no file is looked up in the cache (an installed extension).
 */
export function loadExtensionFile(
  target: LoadTarget,
  request: LoadRequest,
  byName?: NamedLookup,
): LoadOutcome {
  const file = checkFile(request, byName);
  const staged = stage(target, file);
  commit(target, staged, file.origin);
  return { extension: staged.extension, loaded: staged.loaded, added: staged.added };
}

/** Load a library already read and checked (an install's download) like `.load` does. */
export function loadChecked(target: LoadTarget, file: CheckedFile): LoadOutcome {
  checkFfiAllowed(file.typed);
  checkLoadable(file.typed, file.bytes);
  const staged = stage(target, file);
  commit(target, staged, file.origin);
  return { extension: staged.extension, loaded: staged.loaded, added: staged.added };
}

/**
 * `--load` files, after the members already in `set`, through a scratch connection: all
 * are checked before any is cached, and none is bound or remembered unless every one
 * loads, so a launch that fails leaves the cas-cache as it was.
 */
export function loadFilesInto(
  cas: CasStore,
  root: string,
  set: ExtensionSet,
  paths: readonly string[],
  byName?: NamedLookup,
): void {
  const files = paths.map((path) => checkFile({ path }, byName));
  const scratch = scratchConnection(paths[0]);
  const target = { cas, root, db: scratch, set: new ExtensionSet() };
  const staged: Staged[] = [];
  try {
    set.loadAll(scratch);
    for (const member of set.members) target.set.add(member);
    for (const file of files) {
      const one = stage(target, file);
      staged.push(one);
      if (one.loaded) target.set.add(one.extension);
    }
  } catch (err) {
    for (const one of staged.reverse()) one.undo();
    throw err;
  } finally {
    scratch.close();
  }
  for (const [i, one] of staged.entries()) {
    commit({ ...target, set }, one, files[i].origin);
  }
}
