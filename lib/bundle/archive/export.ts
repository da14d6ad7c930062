/**
 * Writing a bundle archive to a path (`cas export`): the destination checks, the temporary
 * file and its rename; what goes into the archive is build.ts's, shared with the browser
 * page (lib/web/). See format.ts for what the file holds.
 */
import type { DatabaseSync } from "../../db/database.ts";
import { dirname, resolve } from "node:path";
import { fsError, SqlinkError } from "../../errors.ts";
import { newTempSibling, removeQuietly } from "../../fs.ts";
import { openCasDatabase } from "../../cas/db.ts";
import type { CasStore } from "../../cas/store.ts";
import { type Bundle, findBundle, missingBlobsError, missingMembers } from "../registry.ts";
import type { SizedMember, SqliteFailure } from "./format.ts";
import { compactArchive, fillArchive } from "./build.ts";

/** What an export wrote. */
export interface ExportResult {
  /** The archive file (absolute). */
  path: string;
  bundle: Bundle;
  members: SizedMember[];
  /** Size of the archive file in bytes. */
  fileSize: number;
  signed: boolean;
}

/**
 * Write bundle `ref` (a name or set_hash prefix) and its member blobs to the archive `path`;
 * with `signingKey`, sign it. `path` is replaced atomically and never left partial.
 *
 * @example
 * ```ts
 * const cas = CasStore.open({ path: "/tmp/cas.sqlite" });
 * exportBundle(cas, "analytics", "/tmp/analytics.sqlink", { signingKey: "team secret" });
 * ```
 */
export function exportBundle(
  cas: CasStore,
  ref: string,
  path: string,
  options: {
    signingKey?: string;
    /** Told each member packed (`done` of `total` members) and when the file is compacted. */
    progress?: (doing: string, done: number, total: number) => void;
  } = {},
): ExportResult {
  path = resolve(path);
  const bundle = findBundle(cas, ref);
  const what = `Cannot export bundle "${bundle.name}"`;
  const missing = missingMembers(cas, bundle.members);
  if (missing.length > 0) throw missingBlobsError(what, missing);
  checkOutputPath(path, cas.path);
  // The temporary database, its -wal and -shm: what a killed export left is swept first.
  const temp = newTempSibling(path);
  let db: DatabaseSync | undefined;
  try {
    db = openArchive(temp, path);
    const archive = db;
    const members = onArchive(path, () => fillArchive(cas, archive, bundle, what, options));
    onArchive(path, () => {
      compactArchive(archive);
      archive.close();
    });
    db = undefined;
    try {
      Deno.renameSync(temp, path);
    } catch (err) {
      throw fsError(err, "write to", path);
    }
    return {
      path,
      bundle,
      members,
      fileSize: Deno.statSync(path).size,
      signed: options.signingKey !== undefined,
    };
  } catch (err) {
    try {
      db?.close();
    } catch {
      // Already closed, or closing failed too: the temporary file goes either way.
    }
    for (const suffix of ["", "-wal", "-shm", "-journal"]) removeQuietly(temp + suffix);
    throw err;
  }
}

/** Refuse a destination that cannot take the archive, before any work is done. */
function checkOutputPath(path: string, casPath: string): void {
  let dir: Deno.FileInfo;
  try {
    dir = Deno.statSync(dirname(path));
  } catch (err) {
    throw fsError(err, "write to", path);
  }
  if (!dir.isDirectory) {
    throw new SqlinkError(
      "ENOTDIR",
      `Cannot write to "${path}": ${dirname(path)} is not a directory`,
      {
        hint: "Give -o a path inside an existing directory",
      },
    );
  }
  let target: Deno.FileInfo | undefined;
  try {
    target = Deno.statSync(path);
  } catch {
    // Nothing there yet: the usual case.
  }
  if (target?.isDirectory) {
    throw fsError(Object.assign(new Error(), { name: "IsADirectory" }), "write to", path);
  }
  if (target && samePath(path, casPath)) {
    throw new SqlinkError(
      "EUSAGE",
      `Cannot write the archive over the cas-cache itself ("${path}")`,
      { hint: "Give -o another file name, e.g. bundle.sqlink", exitCode: 2 },
    );
  }
}

function samePath(a: string, b: string): boolean {
  try {
    return Deno.realPathSync(a) === Deno.realPathSync(b);
  } catch {
    return resolve(a) === resolve(b);
  }
}

/** Create the archive's database at `temp` with the cas-cache schema. */
function openArchive(temp: string, path: string): DatabaseSync {
  try {
    return openCasDatabase(temp, { private: false });
  } catch (err) {
    // openCasDatabase words its errors for the cas-cache: say what failed about the archive.
    throw writeFailure(
      err instanceof SqlinkError && err.cause !== undefined ? err.cause : err,
      path,
    );
  }
}

/** Run `fn` on the archive being written; its own SQLite failures become one message. */
function onArchive<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    // SqlinkErrors come from reading the cas-cache and already say what went wrong.
    throw err instanceof SqlinkError ? err : writeFailure(err, path);
  }
}

function writeFailure(cause: unknown, path: string): SqlinkError {
  if (cause instanceof SqlinkError) return cause;
  const failure = cause as SqliteFailure;
  if (failure?.errcode === undefined) return fsError(cause, "write to", path);
  const code = failure.errcode & 0xff;
  const message = failure.message ?? String(cause);
  if (code === 13 || /disk is full/.test(message)) {
    return fsError(Object.assign(new Error(message), { code: "ENOSPC" }), "write to", path);
  }
  return new SqlinkError("EIO", `Cannot write to "${path}": ${message}`, {
    hint: code === 8 || code === 14 ? "Choose a writable location for -o" : undefined,
    cause,
  });
}
