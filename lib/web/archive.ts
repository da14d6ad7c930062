/**
 * Bundle archives as bytes, for the browser page: the same verification and import
 * (lib/bundle/archive/contents.ts) and the same filling (build.ts) as `cas import` and
 * `cas export`, over an in-memory sqlite-wasm database instead of a file.
 */
import type { CasStore } from "../cas/store.ts";
import { prepare } from "../cas/db.ts";
import { findBundle, missingBlobsError, missingMembers } from "../bundle/registry.ts";
import {
  type Archive,
  checkArchiveHeader,
  damaged,
  importArchive,
  type ImportResult,
  inArchive,
  type KeySource,
  verifyArchive,
} from "../bundle/archive/contents.ts";
import { compactArchive, fillArchive } from "../bundle/archive/build.ts";
import type { SizedMember } from "../bundle/archive/format.ts";
import { WasmDatabase } from "./sqlite_wasm.ts";
import type { Sqlite3 } from "./cache.ts";

/** Open `bytes` as a read-only in-memory database. */
function openBytes(sqlite3: Sqlite3, bytes: Uint8Array): WasmDatabase {
  const raw = new sqlite3.oo1.DB(":memory:", "c");
  const pointer = sqlite3.wasm.allocFromTypedArray(bytes);
  const { capi } = sqlite3;
  const flags = capi.SQLITE_DESERIALIZE_FREEONCLOSE | capi.SQLITE_DESERIALIZE_READONLY;
  try {
    raw.checkRc(
      capi.sqlite3_deserialize(raw.pointer!, "main", pointer, bytes.length, bytes.length, flags),
    );
  } catch (err) {
    raw.close();
    throw err;
  }
  return new WasmDatabase(raw, capi);
}

/** The page's signing key, as messages name it: the person types it into the page. */
export const PAGE_KEY: KeySource = {
  name: "a signing key",
  same: "the signing key entered in this page",
  unset: "clear the page's signing key",
};

/**
 * Read and verify the archive `bytes` (named `name` in messages) completely, as `cas import`
 * does: with `signingKey`, only an archive signed with it is accepted.
 */
export function readArchiveBytes(
  sqlite3: Sqlite3,
  name: string,
  bytes: Uint8Array,
  signingKey?: string,
): Archive {
  checkArchiveHeader(name, bytes.subarray(0, 100), bytes.length);
  let db: WasmDatabase;
  try {
    db = openBytes(sqlite3, bytes);
  } catch (err) {
    throw damaged(name, err);
  }
  try {
    return inArchive(name, () => verifyArchive(db, name, signingKey, PAGE_KEY));
  } finally {
    db.close();
  }
}

/** Verify the archive `bytes` (signed with `signingKey`, when given), then import it into `cas` in one transaction. */
export function importArchiveBytes(
  cas: CasStore,
  sqlite3: Sqlite3,
  name: string,
  bytes: Uint8Array,
  signingKey?: string,
): ImportResult {
  return importArchive(cas, readArchiveBytes(sqlite3, name, bytes, signingKey));
}

/** What an export made: the archive's bytes and what it holds. */
export interface ExportedBytes {
  bytes: Uint8Array;
  bundle: string;
  setHash: string;
  members: SizedMember[];
  signed: boolean;
}

/**
 * Write bundle `ref` and its blobs into a new archive, as `cas export` does (signed with
 * `signingKey`, when given), and return its bytes.
 */
export function exportBundleBytes(
  cas: CasStore,
  sqlite3: Sqlite3,
  ref: string,
  signingKey?: string,
): ExportedBytes {
  const bundle = findBundle(cas, ref);
  const what = `Cannot export bundle "${bundle.name}"`;
  const missing = missingMembers(cas, bundle.members);
  if (missing.length > 0) throw missingBlobsError(what, missing);
  const archive = new WasmDatabase(new sqlite3.oo1.DB(":memory:", "c"), sqlite3.capi);
  try {
    prepare(archive, `${bundle.name}.sqlink`);
    const members = fillArchive(cas, archive, bundle, what, { signingKey });
    compactArchive(archive, true);
    const bytes = archive.exportBytes(sqlite3);
    return {
      bytes,
      bundle: bundle.name,
      setHash: bundle.setHash,
      members,
      signed: signingKey !== undefined,
    };
  } finally {
    archive.close();
  }
}
