/** File helpers shared by every part of sqlink: private directories, temporary siblings, full reads. */
import { basename, dirname, join } from "node:path";
import { fsError, SqlinkError } from "./errors.ts";

/**
 * Create `dir` and its missing parents with mode 0700 (SPEC §2); an existing `dir` must be
 * private already (see checkPrivateDir).
 */
export function ensurePrivateDir(dir: string): void {
  if (checkPrivateDir(dir)) return;
  try {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw fsError(err, "create the directory", dir);
  }
}

/**
 * Refuse the folder `dir` when users other than its owner may write to it, as ssh refuses
 * such a ~/.ssh: they could swap the files sqlink keeps there (the cas-cache, extensions it
 * loads, programs it runs) between the moment sqlink checks them and the moment it uses
 * them. Returns true for a private folder, false when there is no folder at `dir`.
 *
 * A sticky folder such as /tmp is refused too, even when sqlink was pointed there on
 * purpose (`--cas /tmp/x.sqlite`): the sticky bit stops others deleting or renaming our
 * files, not creating new ones, and SQLite opens the cache's `-journal`, `-wal` and `-shm`
 * by name beside it, so anyone could plant a hot journal that the next open replays into
 * the cache. A folder of its own (`mktemp -d`, Deno.makeTempDir: mode 0700) is the way.
 * Windows has no such mode bits: nothing is checked there.
 */
export function checkPrivateDir(dir: string): boolean {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(dir);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw fsError(err, "use the folder", dir);
  }
  if (!info.isDirectory) return false; // creating it fails and says why
  if (Deno.build.os === "windows" || info.mode === null) return true;
  const writable = info.mode & 0o022;
  if (writable === 0) return true;
  const who = writable === 0o022
    ? "its group and all users"
    : writable & 0o020
    ? "its group"
    : "all users";
  const mode = (info.mode & 0o7777).toString(8).padStart(4, "0");
  throw new SqlinkError(
    "EUNSAFEDIR",
    `Refusing to use the folder "${dir}": ${who} can write to it (mode ${mode}), so others could replace the files sqlink keeps there`,
    {
      hint: `Make it yours alone with \`chmod 700 ${
        shellQuote(dir)
      }\` (ssh insists on the same for ~/.ssh), or point SQLINK_CACHE_DIR or --cas at a private folder`,
      details: { path: dir, mode },
    },
  );
}

/** `text` as one word for a POSIX shell, quoted only when it has to be. */
function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A unique sibling name for `path`, for writing before an atomic rename. */
export function tempSibling(path: string): string {
  const rand = crypto.getRandomValues(new Uint32Array(2));
  return join(dirname(path), `.${basename(path)}.${Deno.pid}.${rand[0]}${rand[1]}.tmp`);
}

/** Remove `path` if it exists; never throws. */
export function removeQuietly(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // Nothing there, or nothing we can do about it: the caller is already failing.
  }
}

/** Read into `buf` until it is full or the file ends; returns the byte count. */
export function readFull(file: Deno.FsFile, buf: Uint8Array): number {
  let filled = 0;
  while (filled < buf.length) {
    const n = file.readSync(buf.subarray(filled));
    if (n === null || n === 0) break;
    filled += n;
  }
  return filled;
}

/** True when something (file, directory, link) exists at `path`. */
export function pathExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
