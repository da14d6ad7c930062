/**
 * A big file into the cas-cache in one pass (SPEC §3.2): each CHUNK_BYTES piece is read
 * once, fed to both hashes and inserted as a chunk row under a provisional key; once the
 * BLAKE3 is known the rows are re-keyed. Re-keying rewrites only the rows' first column:
 * SQLite overwrites a row of unchanged size in place and leaves its overflow pages (the
 * piece's bytes) alone, so it costs ~0.1 s for 256 MiB where reading and storing the file
 * a second time cost ~1 s. BLAKE3 runs on a worker beside the inserts
 * (lib/cas/blake3_parallel.ts), SHA-256 natively in node:crypto on this thread.
 *
 * The bytes hashed are the bytes stored, always: a file that changes while it is read is
 * refused all the same (its size or modification time moved), as a half-written file.
 * Everything runs in the caller's write transaction: a put that fails or is killed leaves
 * no row behind.
 */
import type { DatabaseSync } from "../db/database.ts";
import { fsError, SqlinkError } from "../errors.ts";
import { readFull } from "../fs.ts";
import { blake3Stream } from "./blake3_parallel.ts";
import { type CompressPolicy, encode } from "./codec.ts";
import type { Digests } from "./hash.ts";
import { nodeCrypto } from "./sha256.ts";
import { sql } from "./statements.ts";

/** What storeFileOnce stored, under the provisional key it returns. */
export interface StoredFile {
  digests: Digests;
  size: number;
  storedSize: number;
  codec: string;
  chunks: number;
  /** The key the chunk rows carry until rekeyChunks. */
  provisional: string;
}

/** Told the bytes stored so far of the total. */
export type StoreProgress = (done: number, total: number) => void;

const INSERT_CHUNK = `INSERT INTO __cas_chunk(blake3, seq, codec, data) VALUES (?, ?, ?, ?)`;

/**
 * A key no artifact can have (keys are 64 lowercase hex digits) and of a key's length, so
 * that re-keying leaves every row the same size.
 */
function provisionalKey(): string {
  const random = crypto.getRandomValues(new Uint8Array(28));
  return "~pending" + Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The error for a file that changed while it was being put. */
export function changedError(path: string): SqlinkError {
  return new SqlinkError("ECHANGED", `"${path}" changed while it was being stored`, {
    hint: "Try again once nothing is writing to the file",
  });
}

/**
 * Read `path` once in `chunkBytes` pieces, hashing each and inserting it as a chunk row
 * under a provisional key. Call inside a write transaction.
 */
export function storeFileOnce(
  db: DatabaseSync,
  path: string,
  chunkBytes: number,
  policy: CompressPolicy,
  progress?: StoreProgress,
): StoredFile {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (err) {
    throw fsError(err, "read", path);
  }
  let expected: Deno.FileInfo;
  try {
    expected = file.statSync();
  } catch (err) {
    file.close();
    throw fsError(err, "read", path);
  }
  const blake3 = blake3Stream(expected.size);
  let digested = false;
  try {
    const sha256 = nodeCrypto().createHash("sha256");
    const insertChunk = sql(db, INSERT_CHUNK);
    const provisional = provisionalKey();
    const buf = new Uint8Array(chunkBytes);
    let size = 0;
    let storedSize = 0;
    let seq = 0;
    let codec = "raw";
    for (;;) {
      let n: number;
      try {
        n = readFull(file, buf);
      } catch (err) {
        throw fsError(err, "read", path);
      }
      if (n > 0) {
        const piece = buf.subarray(0, n);
        blake3.update(piece);
        sha256.update(piece);
        const stored = encode(piece, policy);
        if (stored.codec !== "raw") codec = stored.codec;
        insertChunk.run(provisional, seq++, stored.codec, stored.data);
        size += n;
        storedSize += stored.data.length;
        progress?.(size, expected.size);
      }
      if (n < buf.length) break;
    }
    const after = file.statSync();
    if (
      size !== expected.size || after.size !== expected.size ||
      after.mtime?.getTime() !== expected.mtime?.getTime()
    ) {
      throw changedError(path);
    }
    const digests = { blake3: blake3.digest(), sha256: sha256.digest("hex") };
    digested = true;
    return {
      digests,
      size,
      storedSize,
      codec,
      chunks: seq,
      provisional,
    };
  } finally {
    if (!digested) blake3.abort();
    file.close();
  }
}

/**
 * Give the chunk rows stored under `provisional` their artifact's key. Rows left under that
 * key by a damaged cache (chunks without an artifact, which `cas verify` reports) go first.
 */
export function rekeyChunks(db: DatabaseSync, provisional: string, blake3: string): void {
  sql(db, `DELETE FROM __cas_chunk WHERE blake3 = ?`).run(blake3);
  sql(db, `UPDATE __cas_chunk SET blake3 = ? WHERE blake3 = ?`).run(blake3, provisional);
}
