/**
 * What an extension is called (SPEC §5): its file's base name without a `lib` prefix and
 * without the platform suffix, and the entry point SQLite derives from that file name.
 */
import { basename } from "node:path";

/** Shared-library suffixes, with the version tails of `libfoo.so.1.2`. */
const PLATFORM_SUFFIX = /\.(?:so(?:\.\d+)*|dylib|dll|bundle)$/i;

/**
 * The extension name of a library file.
 *
 * @example
 * ```ts
 * extensionName("/x/vec0.so"); // "vec0"
 * extensionName("libsqlite3_mod_zipfile.so"); // "sqlite3_mod_zipfile"
 * ```
 */
export function extensionName(path: string): string {
  let name = basename(path).replace(PLATFORM_SUFFIX, "");
  // SQLite drops the prefix case-insensitively when it derives the entry point; so do we.
  if (name.length > 3 && name.slice(0, 3).toLowerCase() === "lib") name = name.slice(3);
  return name;
}

/**
 * The entry point SQLite falls back to when `sqlite3_extension_init` is absent:
 * `sqlite3_` + the lowercase letters of the file name (after `lib`, before the first dot)
 * + `_init`, as sqlite3_load_extension computes it.
 */
export function derivedEntryPoint(path: string): string {
  let file = basename(path);
  if (file.slice(0, 3).toLowerCase() === "lib") file = file.slice(3);
  const stem = file.split(".")[0];
  return `sqlite3_${stem.toLowerCase().replace(/[^a-z]/g, "")}_init`;
}

/** The file suffix shared libraries have on this operating system. */
export function librarySuffix(os: string = Deno.build.os): string {
  if (os === "darwin") return ".dylib";
  if (os === "windows") return ".dll";
  return ".so";
}
