/**
 * Materializing an extension (SPEC §5 step 2): the bytes the cas-cache holds are written
 * once to `<root>/ext/<blake3>/<file name>` (directories 0700, file 0700, temp + rename),
 * and what is on disk is hashed again every time before it is handed to the loader, so what
 * runs is what was hashed. Only libraries this machine can load are written: a file that
 * would crash the loader (a truncated ELF) never reaches it.
 */
import { dirname, join } from "node:path";
import { fsError, SqlinkError } from "../errors.ts";
import { ensurePrivateDir, newTempSibling, removeQuietly } from "../fs.ts";
import { blake3Hex } from "../cas/blake3.ts";
import { checkLoadable } from "./header.ts";
import { materializedPath } from "./location.ts";
import { stampPath, startStamp, writeStamp } from "./stamp.ts";

/** True when `path` holds exactly the bytes whose BLAKE3 is `blake3`. */
export function holdsBytes(path: string, blake3: string): boolean {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw fsError(err, "read", path);
  }
  return blake3Hex(bytes) === blake3;
}

/**
 * The verified path of the artifact `blake3` under the name `fileName`, written from the
 * cas-cache if it is missing or no longer holds those bytes. `bytes`, when the caller has
 * them already (a fresh `.load`), saves reading them back from the cache.
 */
export function materialize(
  cas: { readKey(blake3: string): Uint8Array },
  root: string,
  blake3: string,
  fileName: string,
  bytes?: Uint8Array,
): string {
  const path = materializedPath(root, blake3, fileName);
  const ticket = startStamp(path);
  if (ticket && holdsBytes(path, blake3)) {
    writeStamp(path, blake3, ticket);
    return path;
  }
  // Both sources are already verified: readKey re-hashes, and `bytes` are what a put just
  // hashed. What reaches the disk is hashed below.
  const data = bytes ?? cas.readKey(blake3);
  // The cache may hold anything (an imported archive, `cas put`): only a library this
  // machine can map goes where the loader will look.
  checkLoadable(fileName, data);
  const dir = dirname(path);
  ensurePrivateDir(join(root, "ext"));
  checkNoDetour(root, "ext");
  ensurePrivateDir(dir);
  checkNoDetour(root, join("ext", blake3));
  const temp = newTempSibling(path);
  try {
    Deno.writeFileSync(temp, data, { mode: 0o700, createNew: true });
    // Verify what reached the disk, not what we meant to write.
    if (!holdsBytes(temp, blake3)) {
      throw new SqlinkError(
        "EINTEGRITY",
        `The copy of ${blake3.slice(0, 12)}… written to "${dir}" does not hash to its key`,
        { hint: "Check the disk; then run the command again" },
      );
    }
    Deno.renameSync(temp, path);
    // The rename is the file's last change: this stamp only claims the digest until a
    // later check, a second or more from now, hashes the file again.
    writeStamp(path, blake3);
  } catch (err) {
    removeQuietly(temp);
    throw fsError(err, "write to", path);
  }
  return path;
}

/**
 * Refuse to write through a symbolic link planted as `<root>/<inside>` (`ext/`, `ext/<blake3>/`): the path was
 * checked as text, and a link would carry the write (and the load) somewhere else.
 */
function checkNoDetour(root: string, inside: string): void {
  const dir = join(root, inside);
  let real: string;
  let expected: string;
  try {
    real = Deno.realPathSync(dir);
    expected = join(Deno.realPathSync(root), inside);
  } catch (err) {
    throw fsError(err, "resolve", dir);
  }
  if (real !== expected) {
    throw new SqlinkError(
      "EUNSAFEDIR",
      `Cannot write to "${dir}": it leads to "${real}", outside the cache`,
      { hint: `Remove the link "${dir}"; sqlink recreates the folder` },
    );
  }
}

/** Remove what `materialize` wrote for `blake3` (a load that failed); never throws. */
export function discardMaterialized(root: string, blake3: string, fileName: string): void {
  let path: string;
  try {
    path = materializedPath(root, blake3, fileName);
  } catch {
    return; // nothing can have been written for a name that is refused
  }
  removeQuietly(path);
  removeQuietly(stampPath(path));
  removeQuietly(dirname(path));
}
