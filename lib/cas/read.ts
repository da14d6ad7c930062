/**
 * Reading artifacts back for use (SPEC §3.5): every read re-hashes what was stored and
 * compares it with the BLAKE3 key, so a damaged blob is an error naming it, never data.
 */
import { sql } from "./statements.ts";
import type { DatabaseSync } from "../db/database.ts";
import { SqlinkError } from "../errors.ts";
import { type ArtifactInfo, getInfo } from "./artifact.ts";
import { decode } from "./codec.ts";
import { blake3Hex, StreamDigest } from "./hash.ts";

/** The error for an artifact whose stored bytes no longer match its key. */
export function corruptError(blake3: string, why: string): SqlinkError {
  return new SqlinkError("EINTEGRITY", `Artifact ${blake3} is corrupt: ${why}`, {
    hint: "Run `sqlink cas verify --repair` to remove it, then put the file again",
    details: { blake3, why },
  });
}

/** The most raw bytes one stored piece holds (CHUNK_BYTES in write.ts). */
const PIECE_BYTES = 1 << 20;

function decodeOrCorrupt(info: ArtifactInfo, codec: string, data: unknown): Uint8Array {
  if (!(data instanceof Uint8Array)) throw corruptError(info.blake3, "its stored data is missing");
  try {
    // Inline blobs and chunks alike hold at most one chunk of raw bytes.
    return decode(codec, data, PIECE_BYTES);
  } catch (err) {
    if (err instanceof SqlinkError && err.code === "ECODEC") throw err;
    throw corruptError(info.blake3, `its ${codec} data does not decompress`);
  }
}

/**
 * The decoded pieces of an artifact in order (one for inline blobs). Missing or misnumbered
 * chunks are reported as corruption. Call it inside a snapshot so the pieces agree.
 */
export function* pieces(db: DatabaseSync, info: ArtifactInfo): Generator<Uint8Array> {
  if (info.chunks === 0) {
    const row = sql(db, `SELECT codec, data FROM __cas_artifact WHERE blake3 = ?`).get(
      info.blake3,
    );
    yield decodeOrCorrupt(info, String(row?.codec), row?.data);
    return;
  }
  let expected = 0;
  const rows = sql(db, `SELECT seq, codec, data FROM __cas_chunk WHERE blake3 = ? ORDER BY seq`)
    .iterate(info.blake3);
  for (const row of rows) {
    if (Number(row.seq) !== expected) {
      throw corruptError(info.blake3, `its chunk ${expected} is missing`);
    }
    expected++;
    yield decodeOrCorrupt(info, String(row.codec), row.data);
  }
  if (expected !== info.chunks) {
    throw corruptError(info.blake3, `it has ${expected} of its ${info.chunks} chunks`);
  }
}

function check(info: ArtifactInfo, size: number, found: string): void {
  if (size !== info.size) {
    throw corruptError(info.blake3, `it holds ${size} bytes where ${info.size} were stored`);
  }
  if (found !== info.blake3) throw corruptError(info.blake3, `its bytes hash to ${found}`);
}

/**
 * The artifact keyed by `blake3` in memory, verified, or undefined when absent. An inline
 * blob takes one query returning only what verification needs, as an array (the hot path of
 * small reads: building a full ArtifactInfo object per read costs as much as the query).
 */
export function readByKey(db: DatabaseSync, blake3: string): Uint8Array | undefined {
  const row = sql(db, HOT_READ, { arrays: true }).get(blake3) as unknown as HotRow | undefined;
  if (!row) return undefined;
  const [size, codec, chunks, data] = row;
  if (chunks !== 0 || codec !== "raw" || !(data instanceof Uint8Array) || data.length !== size) {
    // Chunked, compressed or damaged: the general path says precisely what is wrong.
    const info = getInfo(db, blake3);
    return info && readVerified(db, info);
  }
  if (blake3Hex(data) !== blake3) return readVerified(db, getInfo(db, blake3)!);
  return data;
}

/** `readByKey`'s query, run with array rows. */
const HOT_READ = `SELECT size, codec, chunks, data FROM __cas_artifact WHERE blake3 = ?`;
type HotRow = [number, string, number, unknown];

/** The whole artifact in memory, verified. */
export function readVerified(db: DatabaseSync, info: ArtifactInfo): Uint8Array {
  let bytes: Uint8Array;
  if (info.chunks === 0) {
    bytes = pieces(db, info).next().value as Uint8Array;
  } else {
    bytes = new Uint8Array(info.size);
    let at = 0;
    for (const piece of pieces(db, info)) {
      if (at + piece.length > bytes.length) {
        throw corruptError(info.blake3, "it is longer than stored");
      }
      bytes.set(piece, at);
      at += piece.length;
    }
    if (at !== info.size) check(info, at, "");
  }
  check(info, bytes.length, blake3Hex(bytes));
  return bytes;
}

/**
 * Feed the artifact to `sink` piece by piece, then verify. The caller must discard what the
 * sink received when this throws (e.g. by writing to a temporary file first).
 */
export function streamVerified(
  db: DatabaseSync,
  info: ArtifactInfo,
  sink: (piece: Uint8Array) => void,
): void {
  const digest = new StreamDigest({ withSha256: false });
  let size = 0;
  for (const piece of pieces(db, info)) {
    digest.update(piece);
    size += piece.length;
    sink(piece);
  }
  check(info, size, digest.digest().blake3);
}

/** Re-hash an artifact (both digests) without keeping it; the reason it is corrupt, or undefined. */
export function findCorruption(db: DatabaseSync, info: ArtifactInfo): string | undefined {
  const digest = new StreamDigest();
  let size = 0;
  try {
    for (const piece of pieces(db, info)) {
      digest.update(piece);
      size += piece.length;
    }
  } catch (err) {
    if (err instanceof SqlinkError && err.code === "EINTEGRITY") {
      return String(err.details?.why);
    }
    if (err instanceof SqlinkError && err.code === "ECODEC") return err.message;
    throw err;
  }
  const found = digest.digest();
  if (size !== info.size) return `it holds ${size} bytes where ${info.size} were stored`;
  if (found.blake3 !== info.blake3) return `its bytes hash to ${found.blake3}`;
  if (found.sha256 !== info.sha256) return `its SHA-256 is ${found.sha256}, not ${info.sha256}`;
  return undefined;
}
