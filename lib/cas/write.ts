/**
 * Putting bytes into the cas-cache (SPEC §3.2): hash outside the lock, then insert under
 * `BEGIN IMMEDIATE` together with the URI binding, so a fresh blob is never unreferenced.
 *
 * Blobs up to CHUNK_BYTES are stored inline in `__cas_artifact.data`; bigger ones as
 * numbered `__cas_chunk` rows, so neither a put nor a get ever holds the whole blob (SQLite
 * builds a whole row in memory, so one 256 MiB row would cost several copies of it).
 */
import { sql } from "./statements.ts";
import type { DatabaseSync } from "../db/database.ts";
import { fsError, SqlinkError } from "../errors.ts";
import { readFull } from "../fs.ts";
import { type CompressPolicy, encode } from "./codec.ts";
import { digestBytes, type Digests, StreamDigest } from "./hash.ts";
import { getInfo, touchArtifact } from "./artifact.ts";
import { bindUri } from "./uris.ts";
import { crc32 } from "./codec.ts";
import { addStoredBytes } from "./total.ts";

/** Size of one stored piece of a large blob. */
export const CHUNK_BYTES = 1 << 20;

/** What one put did. */
export interface PutResult {
  blake3: string;
  sha256: string;
  size: number;
  storedSize: number;
  codec: string;
  /** False when the bytes were already in the cache (nothing was added). */
  created: boolean;
  uri?: string;
}

/** Bytes held in memory, hashed and encoded, ready to insert. */
interface Prepared {
  digests: Digests;
  size: number;
  /** Inline storage, or undefined when the blob is chunked. */
  inline?: { codec: string; data: Uint8Array };
  /** Chunked storage, one entry per chunk. */
  chunks?: Array<{ codec: string; data: Uint8Array }>;
}

function prepareBytes(bytes: Uint8Array, policy: CompressPolicy): Prepared {
  const digests = digestBytes(bytes);
  if (bytes.length <= CHUNK_BYTES) {
    return { digests, size: bytes.length, inline: encode(bytes, policy) };
  }
  const chunks = [];
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
    chunks.push(encode(bytes.subarray(at, at + CHUNK_BYTES), policy));
  }
  return { digests, size: bytes.length, chunks };
}

const INSERT_ARTIFACT = `INSERT INTO __cas_artifact
  (blake3, sha256, size, data, codec, stored_size, chunks, created_at, last_used_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(blake3) DO NOTHING`;
const INSERT_CHUNK = `INSERT INTO __cas_chunk(blake3, seq, codec, data) VALUES (?, ?, ?, ?)`;

/** Insert one prepared blob (or touch it when present); the caller holds the write lock. */
function insertPrepared(db: DatabaseSync, item: Prepared, now: number): PutResult {
  const { blake3, sha256 } = item.digests;
  const inline = item.inline;
  const chunks = item.chunks ?? [];
  const storedSize = inline ? inline.data.length : chunks.reduce((n, c) => n + c.data.length, 0);
  const codec = inline ? inline.codec : chunks.some((c) => c.codec !== "raw") ? "zstd" : "raw";
  const inserted = sql(db, INSERT_ARTIFACT).run(
    blake3,
    sha256,
    item.size,
    inline ? inline.data : null,
    codec,
    storedSize,
    chunks.length,
    now,
    now,
  ).changes;
  if (Number(inserted) === 0) return existing(db, blake3, now);
  if (chunks.length > 0) {
    const insertChunk = sql(db, INSERT_CHUNK);
    chunks.forEach((chunk, seq) => insertChunk.run(blake3, seq, chunk.codec, chunk.data));
  }
  return { blake3, sha256, size: item.size, storedSize, codec, created: true };
}

function existing(db: DatabaseSync, blake3: string, now: number): PutResult {
  touchArtifact(db, blake3, now);
  const info = getInfo(db, blake3)!;
  return {
    blake3,
    sha256: info.sha256,
    size: info.size,
    storedSize: info.storedSize,
    codec: info.codec,
    created: false,
  };
}

/** One blob to put, with an optional URI to bind in the same transaction. */
export interface PutItem {
  bytes: Uint8Array;
  uri?: string;
}

/**
 * Hash and encode `items` (outside any lock), then insert them all in the caller's write
 * transaction, which `run` provides.
 */
export function putBatch(
  db: DatabaseSync,
  items: PutItem[],
  policy: CompressPolicy,
  run: <T>(fn: () => T) => T,
): PutResult[] {
  const prepared = items.map((item) => prepareBytes(item.bytes, policy));
  return run(() => {
    const now = Date.now();
    const results = prepared.map((item, i) => {
      const result = insertPrepared(db, item, now);
      const uri = items[i].uri;
      if (uri !== undefined) {
        bindUri(db, uri, result.blake3, now);
        result.uri = uri;
      }
      return result;
    });
    // One update of the kept total per transaction, not per blob.
    addStoredBytes(db, results.reduce((n, r) => n + (r.created ? r.storedSize : 0), 0));
    return results;
  });
}

/** Call `each` with consecutive CHUNK_BYTES pieces of the file (the last may be shorter). */
/**
 * Told how far a long read or write of one artifact got: what it is doing, and bytes done of
 * the total (for a progress line; it must not throw).
 */
export type ByteProgress = (
  doing: "hashing" | "storing" | "writing",
  done: number,
  total: number,
) => void;

function forEachChunk(path: string, each: (chunk: Uint8Array) => void): void {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (err) {
    throw fsError(err, "read", path);
  }
  try {
    const buf = new Uint8Array(CHUNK_BYTES);
    for (;;) {
      let n: number;
      try {
        n = readFull(file, buf);
      } catch (err) {
        throw fsError(err, "read", path);
      }
      if (n > 0) each(buf.subarray(0, n));
      if (n < buf.length) return;
    }
  } finally {
    file.close();
  }
}

/** Open checks that give one clear message for the paths users get wrong. */
export function statInput(path: string): Deno.FileInfo {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (err) {
    throw fsError(err, "read", path);
  }
  if (info.isDirectory) {
    throw fsError(Object.assign(new Error(), { name: "IsADirectory" }), "read", path);
  }
  if (!info.isFile) {
    throw new SqlinkError("ENOTFILE", `Cannot read "${path}": it is not a regular file`, {
      hint: "Give the path of a file",
    });
  }
  return info;
}

/**
 * Put a file. Small files are read whole; large ones are streamed twice in CHUNK_BYTES
 * pieces — once to hash (outside the lock, so a file already present costs no write), once
 * to store (inside the lock). The second pass checks each piece against a CRC-32 taken in
 * the first, so a file that changed in between is refused: re-hashing it with BLAKE3, as
 * before, cost a 256 MiB put half a second (streamed BLAKE3 runs at ~480 MiB/s, zlib's
 * CRC-32 at tens of GB/s). A change that slipped past both would still be caught where
 * every read re-hashes (SPEC §3.5); the point here is a file being written while it is put.
 */
export function putFile(
  db: DatabaseSync,
  path: string,
  uri: string | undefined,
  policy: CompressPolicy,
  run: <T>(fn: () => T) => T,
  progress?: ByteProgress,
): PutResult {
  const info = statInput(path);
  if (info.size <= CHUNK_BYTES) {
    let bytes: Uint8Array;
    try {
      bytes = Deno.readFileSync(path);
    } catch (err) {
      throw fsError(err, "read", path);
    }
    return putBatch(db, [{ bytes, uri }], policy, run)[0];
  }
  const first = new StreamDigest();
  let size = 0;
  const pieces: Piece[] = [];
  forEachChunk(path, (chunk) => {
    first.update(chunk);
    size += chunk.length;
    progress?.("hashing", size, info.size);
    pieces.push({ size: chunk.length, crc: crc32(chunk) });
  });
  const digests = first.digest();
  return run(() => {
    const now = Date.now();
    let result: PutResult;
    if (getInfo(db, digests.blake3)) {
      result = existing(db, digests.blake3, now);
    } else {
      result = storeStreamed(db, path, digests, pieces, policy, now, progress);
    }
    if (uri !== undefined) {
      bindUri(db, uri, result.blake3, now);
      result.uri = uri;
    }
    return result;
  });
}

/** One CHUNK_BYTES piece of a file as the first pass saw it. */
interface Piece {
  size: number;
  crc: number;
}

function changedError(path: string): SqlinkError {
  return new SqlinkError("ECHANGED", `"${path}" changed while it was being stored`, {
    hint: "Try again once nothing is writing to the file",
  });
}

function storeStreamed(
  db: DatabaseSync,
  path: string,
  digests: Digests,
  pieces: readonly Piece[],
  policy: CompressPolicy,
  now: number,
  progress?: ByteProgress,
): PutResult {
  const insertChunk = sql(db, INSERT_CHUNK);
  const total = pieces.reduce((sum, piece) => sum + piece.size, 0);
  let seq = 0;
  let size = 0;
  let storedSize = 0;
  let codec = "raw";
  forEachChunk(path, (chunk) => {
    const seen = pieces[seq];
    if (!seen || seen.size !== chunk.length || seen.crc !== crc32(chunk)) {
      throw changedError(path);
    }
    const stored = encode(chunk, policy);
    if (stored.codec !== "raw") codec = stored.codec;
    insertChunk.run(digests.blake3, seq++, stored.codec, stored.data);
    size += chunk.length;
    storedSize += stored.data.length;
    progress?.("storing", size, total);
  });
  if (seq !== pieces.length) throw changedError(path);
  sql(db, INSERT_ARTIFACT).run(
    digests.blake3,
    digests.sha256,
    size,
    null,
    codec,
    storedSize,
    seq,
    now,
    now,
  );
  addStoredBytes(db, storedSize);
  return { blake3: digests.blake3, sha256: digests.sha256, size, storedSize, codec, created: true };
}
