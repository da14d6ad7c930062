/**
 * Reading a bundle archive from a path (`cas import`): the file checks and the node:sqlite
 * connection; verifying and importing what it holds is contents.ts's, shared with the
 * browser page (lib/web/).
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { DatabaseSync } from "../../db/database.ts";
import { openNodeDatabase } from "../../db/node.ts";
import { fsError } from "../../errors.ts";
import { readFull } from "../../fs.ts";
import { statInput } from "../../cas/write.ts";
import { type Archive, checkArchiveHeader, damaged, inArchive, verifyArchive } from "./contents.ts";

export {
  type Archive,
  importArchive,
  type ImportResult,
  type SignatureStatus,
} from "./contents.ts";

/**
 * Read the archive at `path` read-only and verify all of it: that it is an archive of a
 * version this build reads, holds exactly one well-formed bundle whose set_hash matches its
 * members, is signed by `signingKey` when one is given, and that every member's blob hashes
 * to its key. Nothing is written anywhere.
 *
 * @example
 * ```ts
 * const archive = readArchive("analytics.sqlink", { signingKey: Deno.env.get("SQLINK_SIGNING_KEY") });
 * console.log(archive.manifest.bundle, archive.manifest.setHash);
 * ```
 */
export function readArchive(path: string, options: { signingKey?: string } = {}): Archive {
  const size = statInput(path).size;
  checkArchiveHeader(path, readHead(path), size);
  const url = pathToFileURL(resolve(path));
  // immutable: no locks, no -wal or -shm created beside the file, no journal replayed.
  url.searchParams.set("immutable", "1");
  let db: DatabaseSync;
  try {
    db = openNodeDatabase(url, { readOnly: true });
  } catch (err) {
    throw damaged(path, err);
  }
  try {
    return inArchive(path, () => verifyArchive(db, path, options.signingKey));
  } finally {
    db.close();
  }
}

/** The first (up to) 100 bytes of the file at `path`. */
function readHead(path: string): Uint8Array {
  const head = new Uint8Array(100);
  try {
    const file = Deno.openSync(path, { read: true });
    try {
      return head.subarray(0, readFull(file, head));
    } finally {
      file.close();
    }
  } catch (err) {
    throw fsError(err, "read", path);
  }
}
