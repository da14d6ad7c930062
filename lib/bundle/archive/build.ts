/**
 * Filling a bundle archive's database (`cas export`, and the browser page's export): the
 * bundle, its members' blobs read back verified from the cas-cache, the archive marks and
 * the signature. No file-system access here: export.ts writes the file.
 */
import type { DatabaseSync } from "../../db/database.ts";
import { SqlinkError } from "../../errors.ts";
import { immediate } from "../../cas/db.ts";
import type { CasStore } from "../../cas/store.ts";
import { putBatch } from "../../cas/write.ts";
import { type Bundle, type BundleMember, insertBundle, missingBlobsError } from "../registry.ts";
import { type Manifest, signManifest } from "../signing.ts";
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, type SizedMember } from "./format.ts";

/**
 * Write `bundle` (found in `cas`) and its members' blobs into `archive`, a new database with
 * the cas-cache schema, in one transaction; `what` starts the message of a member that
 * cannot be read. Returns the members with their sizes.
 */
export function fillArchive(
  cas: CasStore,
  archive: DatabaseSync,
  bundle: Bundle,
  what: string,
  options: {
    signingKey?: string;
    progress?: (doing: string, done: number, total: number) => void;
  } = {},
): SizedMember[] {
  return immediate(archive, () => {
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
  });
}

/**
 * Make the filled archive one self-contained, compact file: no -wal or -shm beside it, and
 * no pages left empty by the cas-cache's big page size. `memory` accepts the journal mode of
 * an in-memory database (the browser's export without OPFS).
 */
export function compactArchive(archive: DatabaseSync, memory = false): void {
  const mode = archive.prepare("PRAGMA journal_mode = DELETE").get()?.journal_mode;
  if (mode !== "delete" && !(memory && mode === "memory")) {
    throw new Error(`the journal mode stayed ${mode}`);
  }
  archive.exec("PRAGMA synchronous = FULL; PRAGMA page_size = 4096; VACUUM");
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
