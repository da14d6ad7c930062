/**
 * Writing a bundle archive (`cas export`): see format.ts for what the file holds.
 */
import { DatabaseSync } from "node:sqlite";
import { dirname, resolve } from "node:path";
import { fsError, SqlinkError } from "../../errors.ts";
import { newTempSibling, removeQuietly } from "../../fs.ts";
import { immediate, openCasDatabase } from "../../cas/db.ts";
import type { CasStore } from "../../cas/store.ts";
import { putBatch } from "../../cas/write.ts";
import {
  type Bundle,
  type BundleMember,
  findBundle,
  insertBundle,
  missingBlobsError,
  missingMembers,
} from "../registry.ts";
import { type Manifest, signManifest } from "../signing.ts";
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, type SizedMember, type SqliteFailure } from "./format.ts";

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
    const members = onArchive(path, () =>
      immediate(archive, () => {
        const total = bundle.members.length;
        const sizes = bundle.members.map((member, i) => {
          options.progress?.(`packing ${member.extensionName}`, i, total);
          // onArchive lets SqlinkErrors through, so a damaged cache blob names its member.
          const bytes = readMember(cas, what, member);
          putBatch(archive, [{ bytes }], cas.compress, (fn) => fn());
          return bytes.length;
        });
        options.progress?.("compacting the archive", total, total);
        const saved = insertBundle(archive, bundle.name, bundle.members).bundle;
        const meta: Record<string, string> = {
          archive_format: ARCHIVE_FORMAT,
          archive_version: String(ARCHIVE_VERSION),
          created_at: new Date().toISOString(),
        };
        if (options.signingKey !== undefined) {
          meta.signature = signManifest(manifestOf(saved), options.signingKey);
        }
        const put = archive.prepare(`INSERT INTO __cas_meta(key, value) VALUES (?, ?)`);
        for (const [key, value] of Object.entries(meta)) put.run(key, value);
        return saved.members.map((m, i) => ({ ...m, size: sizes[i] }));
      }));
    onArchive(path, () => {
      // One self-contained file: no -wal or -shm beside it, and no pages left empty by
      // the cas-cache's big page size.
      const mode = archive.prepare("PRAGMA journal_mode = DELETE").get()?.journal_mode;
      if (mode !== "delete") throw new Error(`the journal mode stayed ${mode}`);
      archive.exec("PRAGMA synchronous = FULL; PRAGMA page_size = 4096; VACUUM");
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

/** What a manifest is for a bundle as stored in an archive. */
function manifestOf(bundle: Bundle): Manifest {
  return {
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    bundle: bundle.name,
    setHash: bundle.setHash,
    members: bundle.members,
  };
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

/** A member's bytes from the cache, verified; damage or absence names the member. */
function readMember(cas: CasStore, what: string, member: BundleMember): Uint8Array {
  const info = cas.info(member.contentHash);
  if (!info) throw missingBlobsError(what, [member]);
  try {
    return cas.read(info);
  } catch (err) {
    if (err instanceof SqlinkError && (err.code === "EINTEGRITY" || err.code === "ECODEC")) {
      const why = String(err.details?.why ?? err.message);
      throw new SqlinkError(
        "EINTEGRITY",
        `${what}: the blob of member ${member.extensionName} (blake3 ${
          member.contentHash.slice(0, 12)
        }…) is corrupt in the cas-cache: ${why}`,
        {
          hint:
            "Run `sqlink cas verify --repair` to remove it, then put the member's file again with `sqlink cas put FILE`",
          details: { member: member.extensionName, blake3: member.contentHash, why },
          cause: err,
        },
      );
    }
    throw err;
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
