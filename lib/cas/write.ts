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
import { type CompressPolicy, encode } from "./codec.ts";
import { digestBytes, type Digests } from "./hash.ts";
import { getInfo, touchArtifact } from "./artifact.ts";
import { bindUri } from "./uris.ts";
import { rekeyChunks, storeFileOnce } from "./file_put.ts";
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

/**
 * Told how far a long read or write of one artifact got: what it is doing, and bytes done of
 * the total (for a progress line; it must not throw).
 */
export type ByteProgress = (
  doing: "hashing" | "storing" | "writing",
  done: number,
  total: number,
) => void;

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

/** Thrown inside a big put's transaction to roll it back: the blob was already stored. */
class AlreadyStored extends SqlinkError {
  constructor(readonly blake3: string) {
    super("EPRESENT", `Artifact ${blake3} is already in the cas-cache`);
  }
}

/**
 * Put a file. Small files are read whole; large ones are read once, in CHUNK_BYTES pieces
 * hashed and stored together inside the write transaction (lib/cas/file_put.ts). A file
 * whose bytes turn out to be stored already rolls that transaction back and records a use.
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
  const bind = (result: PutResult, now: number): PutResult => {
    if (uri !== undefined) {
      bindUri(db, uri, result.blake3, now);
      result.uri = uri;
    }
    return result;
  };
  let present: string;
  try {
    return run(() => {
      const report = progress &&
        ((done: number, total: number) => progress("storing", done, total));
      const stored = storeFileOnce(db, path, CHUNK_BYTES, policy, report);
      const { blake3, sha256 } = stored.digests;
      if (getInfo(db, blake3)) throw new AlreadyStored(blake3);
      rekeyChunks(db, stored.provisional, blake3);
      const now = Date.now();
      sql(db, INSERT_ARTIFACT).run(
        blake3,
        sha256,
        stored.size,
        null,
        stored.codec,
        stored.storedSize,
        stored.chunks,
        now,
        now,
      );
      addStoredBytes(db, stored.storedSize);
      const { size, storedSize, codec } = stored;
      return bind({ blake3, sha256, size, storedSize, codec, created: true }, now);
    });
  } catch (err) {
    if (!(err instanceof AlreadyStored)) throw err;
    present = err.blake3;
  }
  return run(() => {
    const now = Date.now();
    return bind(existing(db, present, now), now);
  });
}
