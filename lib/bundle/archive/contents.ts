/**
 * Verifying and importing a bundle archive's contents, given its bytes' header and an open
 * database (`cas import`, and the browser page): see format.ts for what the file holds and
 * import.ts for reading one from a path. No file-system access here.
 */
import type { DatabaseSync } from "../../db/database.ts";
import { SqlinkError } from "../../errors.ts";
import { getInfo } from "../../cas/artifact.ts";
import type { EvictionReport } from "../../cas/evict.ts";
import { readVerified } from "../../cas/read.ts";
import { SCHEMA_VERSION } from "../../cas/schema.ts";
import type { CasStore } from "../../cas/store.ts";
import {
  type Bundle,
  type BundleMember,
  byName,
  checkBundleName,
  insertBundle,
  nameTakenError,
} from "../registry.ts";
import { canonicalMembers, setHash } from "../set_hash.ts";
import { type Manifest, SIGNING_KEY_ENV, verifySignature } from "../signing.ts";
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, type SizedMember, type SqliteFailure } from "./format.ts";

/** How far an archive's signature was checked. */
export type SignatureStatus = "verified" | "unchecked" | "unsigned";

/** An archive read and verified in full, ready to import. */
export interface Archive {
  path: string;
  manifest: Manifest;
  /** The bytes of each member, in the manifest's order, each verified against its hash. */
  blobs: Uint8Array[];
  createdAt?: string;
  signature: SignatureStatus;
}

/** The error for an archive that cannot be imported. */
function refuse(
  path: string,
  code: string,
  why: string,
  hint: string,
  details?: Record<string, unknown>,
): SqlinkError {
  return new SqlinkError(code, `Cannot import "${path}": ${why}`, { hint, details });
}

const REEXPORT =
  "The archive was damaged or edited: export it again from a cache that holds the bundle";
const MAKE_ONE = "Give a file written by `sqlink cas export BUNDLE -o FILE`";

/**
 * Refuse what is not SQLite or is cut short, from the file's first (up to 100) bytes `head`
 * and its `size`: the SQLite header says how long the file must be. `path` names the file
 * in messages.
 */
export function checkArchiveHeader(path: string, head: Uint8Array, size: number): void {
  if (size === 0) throw refuse(path, "ENOTARCHIVE", "the file is empty", MAKE_ONE);
  const n = Math.min(head.length, 100);
  if (n < 16 || new TextDecoder().decode(head.subarray(0, 16)) !== "SQLite format 3\0") {
    throw refuse(path, "ENOTARCHIVE", "it is not a SQLite database", MAKE_ONE);
  }
  // Bytes 18 and 19 are 2 in WAL mode: a live database whose latest pages may sit in a -wal
  // file beside it. An archive never is one.
  if (n >= 20 && (head[18] === 2 || head[19] === 2)) {
    throw refuse(
      path,
      "ENOTARCHIVE",
      "it is a SQLite database in WAL mode (a live database, such as a cas-cache), not a sqlink bundle archive",
      MAKE_ONE,
    );
  }
  const view = new DataView(head.buffer, head.byteOffset, n);
  const rawPageSize = n >= 18 ? view.getUint16(16) : 0;
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (n < 100 || pageSize < 512) {
    throw refuse(path, "ETRUNCATED", `it is truncated (${size} bytes)`, COPY_AGAIN);
  }
  const pages = view.getUint32(28);
  // The page count in the header is valid only when its version-valid-for matches the
  // change counter (files written by very old SQLite versions do not keep it).
  const countValid = view.getUint32(92) === view.getUint32(24) && pages > 0;
  if ((countValid && size < pages * pageSize) || size % pageSize !== 0) {
    const expected = countValid ? ` where its header says ${pages * pageSize}` : "";
    throw refuse(
      path,
      "ETRUNCATED",
      `it is truncated: it holds ${size} bytes${expected}`,
      COPY_AGAIN,
      { size, expected: countValid ? pages * pageSize : undefined },
    );
  }
}

const COPY_AGAIN = "The copy is incomplete or damaged: download or copy the archive again";

export function damaged(path: string, err: unknown): SqlinkError {
  const message = (err as SqliteFailure)?.message ?? String(err);
  return refuse(path, "EARCHIVE", `the archive is damaged (${message})`, COPY_AGAIN);
}

/** Run `fn` over the open archive; SQLite failures mean the file is damaged. */
export function inArchive<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SqlinkError) throw err;
    if (err instanceof RangeError) throw damaged(path, err);
    if ((err as SqliteFailure)?.errcode !== undefined) throw damaged(path, err);
    throw err;
  }
}

/**
 * Verify all of the open archive `db` (`path` names it in messages): that it is an archive
 * of a version this build reads, holds exactly one well-formed bundle whose set_hash matches
 * its members, is signed by `key` when one is given, and that every member's blob hashes to
 * its key. Run it inside `inArchive`, so that SQLite failures read as damage.
 */
export function verifyArchive(
  db: DatabaseSync,
  path: string,
  key: string | undefined,
  keySource: KeySource = ENV_KEY,
): Archive {
  const check = db.prepare("PRAGMA quick_check").all().map((r) => String(Object.values(r)[0]));
  if (check.length !== 1 || check[0] !== "ok") {
    throw refuse(path, "EARCHIVE", `the archive is damaged (${check[0]})`, COPY_AGAIN);
  }
  const meta = readMeta(db, path);
  const manifest = readManifest(db, path, meta);
  const signature = checkSignature(path, manifest, meta.get("signature"), key, keySource);
  const blobs = manifest.members.map((member) => readBlob(db, path, member));
  return { path, manifest, blobs, createdAt: meta.get("created_at"), signature };
}

function hasTable(db: DatabaseSync, name: string): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(name) !==
    undefined;
}

/** `__cas_meta` of an archive, after checking it is one, of a version this build reads. */
function readMeta(db: DatabaseSync, path: string): Map<string, string> {
  if (!hasTable(db, "__cas_meta")) {
    throw refuse(
      path,
      "ENOTARCHIVE",
      "it is a SQLite database, but not a sqlink bundle archive",
      MAKE_ONE,
    );
  }
  const meta = new Map(
    db.prepare(`SELECT key, value FROM __cas_meta`).all().map((
      r,
    ) => [String(r.key), String(r.value)]),
  );
  if (meta.get("archive_format") !== ARCHIVE_FORMAT) {
    const what = meta.has("schema_version")
      ? "it is a sqlink cas-cache, not a bundle archive"
      : "it is a SQLite database, but not a sqlink bundle archive";
    throw refuse(path, "ENOTARCHIVE", what, MAKE_ONE);
  }
  const version = meta.get("archive_version") ?? "";
  if (!/^[1-9][0-9]{0,8}$/.test(version)) {
    throw refuse(
      path,
      "EARCHIVE",
      `its archive_version "${version}" is not a version number`,
      REEXPORT,
    );
  }
  const schema = Number(meta.get("schema_version") ?? "0");
  if (Number(version) > ARCHIVE_VERSION || schema > SCHEMA_VERSION) {
    throw refuse(
      path,
      "ENEWER",
      `it was written by a newer sqlink (archive version ${version}, schema ${schema}; this sqlink reads archive version ${ARCHIVE_VERSION}, schema ${SCHEMA_VERSION})`,
      "Upgrade sqlink, or export the bundle again with this version",
      { archiveVersion: Number(version), schemaVersion: schema },
    );
  }
  for (const table of ["__cas_artifact", "__cas_bundle", "__cas_bundle_member"]) {
    if (!hasTable(db, table)) {
      throw refuse(path, "EARCHIVE", `it has no ${table} table`, REEXPORT);
    }
  }
  return meta;
}

/** The one bundle in the archive and its members, checked for shape and set_hash. */
function readManifest(db: DatabaseSync, path: string, meta: Map<string, string>): Manifest {
  const bundles = db.prepare(`SELECT id, name, set_hash FROM __cas_bundle`).all();
  if (bundles.length !== 1) {
    throw refuse(
      path,
      "EARCHIVE",
      `it holds ${bundles.length} bundles, where an archive holds exactly one`,
      REEXPORT,
    );
  }
  const row = bundles[0];
  const name = String(row.name);
  try {
    checkBundleName(name);
  } catch (err) {
    throw refuse(path, "EARCHIVE", (err as Error).message, REEXPORT);
  }
  const rows = db.prepare(
    `SELECT bundle_id, extension_name, content_hash, load_order, entry_point
     FROM __cas_bundle_member ORDER BY load_order, extension_name`,
  ).all();
  const members: BundleMember[] = [];
  for (const [i, m] of rows.entries()) {
    const entry = m.entry_point;
    if (
      m.bundle_id !== row.id || typeof m.extension_name !== "string" ||
      typeof m.content_hash !== "string" || Number(m.load_order) !== i ||
      (entry !== null && typeof entry !== "string")
    ) {
      throw refuse(
        path,
        "EARCHIVE",
        `its member rows are malformed (row ${i + 1}: ${
          JSON.stringify([m.extension_name, m.load_order])
        })`,
        REEXPORT,
      );
    }
    members.push({
      extensionName: m.extension_name,
      contentHash: m.content_hash,
      loadOrder: i,
      entryPoint: entry,
    });
  }
  let actual: string;
  try {
    canonicalMembers(members);
    actual = setHash(members);
  } catch (err) {
    throw refuse(
      path,
      "EARCHIVE",
      `its bundle "${name}" is malformed: ${(err as Error).message}`,
      REEXPORT,
    );
  }
  const stored = String(row.set_hash);
  if (stored !== actual) {
    throw refuse(
      path,
      "EARCHIVE",
      `the set_hash of bundle "${name}" (${
        stored.slice(0, 16)
      }…) does not match its members, which hash to ${actual.slice(0, 16)}…`,
      REEXPORT,
      { stored, actual },
    );
  }
  return {
    format: String(meta.get("archive_format")),
    version: Number(meta.get("archive_version")),
    bundle: name,
    setHash: actual,
    members,
  };
}

/** Where a signing key came from, as messages name it. */
export interface KeySource {
  /** "SQLINK_SIGNING_KEY is set" reads "<name> is set". */
  name: string;
  /** The same key again: "the same SQLINK_SIGNING_KEY". */
  same: string;
  /** How to stop requiring signatures: "unset SQLINK_SIGNING_KEY". */
  unset: string;
}

/** The CLI's key, from the environment. */
export const ENV_KEY: KeySource = {
  name: SIGNING_KEY_ENV,
  same: `the same ${SIGNING_KEY_ENV}`,
  unset: `unset ${SIGNING_KEY_ENV}`,
};

function checkSignature(
  path: string,
  manifest: Manifest,
  signature: string | undefined,
  key: string | undefined,
  source: KeySource,
): SignatureStatus {
  if (key === undefined) return signature === undefined ? "unsigned" : "unchecked";
  if (signature === undefined) {
    throw refuse(
      path,
      "ESIGNATURE",
      `it is not signed, and ${source.name} is set, so only signed archives are accepted`,
      `Export it again with ${source.same}, or ${source.unset} to accept unsigned archives`,
    );
  }
  if (!verifySignature(manifest, signature, key)) {
    throw refuse(
      path,
      "ESIGNATURE",
      "its signature does not match: it was changed after it was signed, or signed with another key",
      `Export it again signed with ${source.same}, and import that file`,
    );
  }
  return "verified";
}

/** A member's bytes from the archive, verified against its hash. */
function readBlob(db: DatabaseSync, path: string, member: BundleMember): Uint8Array {
  const label = `the blob of member ${member.extensionName} (blake3 ${
    member.contentHash.slice(0, 12)
  }…)`;
  const info = getInfo(db, member.contentHash);
  if (!info) throw refuse(path, "EARCHIVE", `${label} is missing from it`, REEXPORT);
  try {
    return readVerified(db, info);
  } catch (err) {
    if (err instanceof SqlinkError && (err.code === "EINTEGRITY" || err.code === "ECODEC")) {
      const why = String(err.details?.why ?? err.message);
      throw refuse(path, "EINTEGRITY", `${label} is corrupt: ${why}`, REEXPORT, {
        member: member.extensionName,
        blake3: member.contentHash,
        why,
      });
    }
    throw err;
  }
}

/** What an import did. */
export interface ImportResult {
  /** The bundle as the cas-cache now holds it. */
  bundle: Bundle;
  /** False when the name already held exactly this set. */
  created: boolean;
  /** Each member (in load order) and whether its blob was added or already present. */
  members: Array<SizedMember & { added: boolean }>;
  added: number;
  present: number;
  signature: SignatureStatus;
  eviction?: EvictionReport;
}

/**
 * Add a verified archive to the cas-cache in one transaction: its blobs, its bundle (under
 * `name`, default the archive's) and an `extension:<name>` URI per member. v1 naming: a
 * name holding the same set is left as it is; a name holding another set is an error and
 * nothing is written.
 */
export function importArchive(
  cas: CasStore,
  archive: Archive,
  options: { name?: string } = {},
): ImportResult {
  const name = checkBundleName(options.name ?? archive.manifest.bundle);
  const members = archive.manifest.members;
  const hash = archive.manifest.setHash;
  const nameFree = () => {
    const taken = byName(cas.db, name);
    if (taken && taken.setHash !== hash) {
      throw nameTakenError(
        taken,
        hash,
        `Import it under another name with \`sqlink cas import ${archive.path} --as NEW_NAME\`, or delete the local bundle first with \`sqlink bundle delete ${name}\``,
      );
    }
  };
  cas.guard(nameFree); // fail before the blobs are hashed and compressed
  const outcome = cas.putManyWith(
    members.map((m, i) => ({ bytes: archive.blobs[i], uri: `extension:${m.extensionName}` })),
    () => {
      nameFree(); // again under the write lock: another process may have taken the name
      return insertBundle(cas.db, name, members);
    },
  );
  const { bundle, created } = outcome.value;
  const sized = members.map((m, i) => ({
    ...m,
    size: archive.blobs[i].length,
    added: outcome.results[i].created,
  }));
  const added = sized.filter((m) => m.added).length;
  return {
    bundle,
    created,
    members: sized,
    added,
    present: sized.length - added,
    signature: archive.signature,
    eviction: outcome.eviction,
  };
}
