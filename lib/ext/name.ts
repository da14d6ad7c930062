/**
 * What an extension is called (SPEC §5): its file's base name without a `lib` prefix and
 * without the platform suffix, and the entry point SQLite derives from that file name.
 */
import { basename } from "../path.ts";
import { SqlinkError } from "../errors.ts";

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

/** The longest extension name accepted: file systems cap a file name at 255 bytes. */
const MAX_NAME_BYTES = 200;

/**
 * Why `name` cannot be an extension name, or undefined when it can (SPEC §5): a plain
 * file-name stem, because it becomes a file name under `ext/<blake3>/` and in a baked
 * program on every platform a bundle travels to. So no path separator of any platform, no
 * `..`, no drive or stream colon, no control character or NUL, none of the characters
 * Windows forbids in file names, and no leading dot (hidden files, `.` and `..`).
 */
export function extensionNameProblem(name: string): string | undefined {
  if (name.length === 0) return "it is empty";
  if (new TextEncoder().encode(name).length > MAX_NAME_BYTES) {
    return `it is longer than ${MAX_NAME_BYTES} bytes`;
  }
  // deno-lint-ignore no-control-regex
  const control = /[\x00-\x1f\x7f]/.exec(name);
  if (control) return `it contains the control character 0x${hex2(control[0])}`;
  const separator = /[/\\]/.exec(name);
  if (separator) return `it contains the path separator "${separator[0]}"`;
  if (name.includes("..")) return 'it contains ".."';
  const reserved = /[:*?"<>|]/.exec(name);
  if (reserved) return `it contains "${reserved[0]}", which file names cannot hold everywhere`;
  if (name.startsWith(".")) return "it starts with a dot";
  if (/[ .]$/.test(name)) return "it ends with a space or a dot";
  return undefined;
}

function hex2(char: string): string {
  return char.charCodeAt(0).toString(16).padStart(2, "0");
}

/** Show a name in a message with its control characters escaped, so a terminal shows it plainly. */
export function shownName(name: string): string {
  return JSON.stringify(name).slice(1, -1).replace(/[\x7f]/g, "\\u007f");
}

/**
 * `name`, when it is a valid extension name; otherwise a SqlinkError (code EBADNAME) whose
 * message starts with `what` (`Cannot import "b.sqlink"`) and says why.
 *
 * @example
 * ```ts
 * checkExtensionName("vec0", "Cannot save bundle"); // "vec0"
 * checkExtensionName("../x", "Cannot save bundle"); // throws EBADNAME
 * ```
 */
export function checkExtensionName(
  name: string,
  what: string,
  options: { exitCode?: number } = {},
): string {
  const problem = extensionNameProblem(name);
  if (problem === undefined) return name;
  throw new SqlinkError(
    "EBADNAME",
    `${what}: "${shownName(name)}" is not a valid extension name: ${problem}`,
    {
      hint:
        "An extension name is a plain file-name stem such as vec0: letters, digits, _ and -, no path",
      exitCode: options.exitCode,
      details: { name },
    },
  );
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
