/**
 * Storage codecs (SPEC §3.5): blobs may be stored zstd-compressed; identity is always the
 * hash of the raw bytes, so a codec only changes what sits on disk.
 */
import { SqlinkError } from "../errors.ts";

/** How a stored blob is encoded. */
export type Codec = "raw" | "zstd";

/**
 * When to compress: `auto` compresses blobs of 64 KiB or more whose sample compresses well,
 * `zstd` tries every blob, `none` never compresses.
 */
export type CompressPolicy = "auto" | "zstd" | "none";

const AUTO_MIN_BYTES = 64 * 1024;
const SAMPLE_BYTES = 16 * 1024;
const LEVEL = 3;

type Zlib = typeof import("node:zlib");
let loaded: Zlib | undefined;

/**
 * node:zlib, loaded on the first blob that is compressed or decompressed: importing it costs
 * ~15 ms of Node's layer, and most commands (`cas ls`, `bundle list`, a launch whose copies
 * are stamped) never touch a compressed byte. Deno's global `process` hands it over
 * synchronously, as the codec's callers are.
 */
function loadZlib(): Zlib {
  const node = globalThis as unknown as { process: { getBuiltinModule(id: string): unknown } };
  return loaded ??= node.process.getBuiltinModule("node:zlib") as Zlib;
}

function zstd(bytes: Uint8Array, level: number): Uint8Array {
  const zlib = loadZlib();
  return zlib.zstdCompressSync(bytes, {
    params: { [zlib.constants.ZSTD_c_compressionLevel]: level },
  });
}

/** zlib's CRC-32 of `bytes` (a change check, not an identity: see putFile). */
export function crc32(bytes: Uint8Array): number {
  return loadZlib().crc32(bytes);
}

/** Parse a policy name as given in `SQLINK_CAS_COMPRESS`. */
export function parsePolicy(value: string | undefined): CompressPolicy {
  if (value === undefined || value === "") return "auto";
  if (value === "auto" || value === "zstd" || value === "none") return value;
  throw new SqlinkError("EUSAGE", `Unknown compression policy "${value}"`, {
    hint: "Use one of: auto, zstd, none",
    exitCode: 2,
  });
}

/** Encode `bytes` for storage under `policy`; compression is kept only when it saves space. */
export function encode(
  bytes: Uint8Array,
  policy: CompressPolicy,
): { codec: Codec; data: Uint8Array } {
  if (policy === "none" || bytes.length === 0) return { codec: "raw", data: bytes };
  if (policy === "auto") {
    if (bytes.length < AUTO_MIN_BYTES) return { codec: "raw", data: bytes };
    // Random or already-compressed data would cost a full zstd pass for nothing: a cheap
    // fast-level sample decides whether the real pass is worth it.
    const sample = bytes.subarray(0, SAMPLE_BYTES);
    if (zstd(sample, 1).length > sample.length * 0.9) return { codec: "raw", data: bytes };
  }
  const packed = zstd(bytes, LEVEL);
  return packed.length < bytes.length * 0.95
    ? { codec: "zstd", data: packed }
    : { codec: "raw", data: bytes };
}

/**
 * Decode stored bytes back to the raw artifact bytes, refusing to produce more than
 * `maxBytes` (a stored piece is never bigger than one chunk, and a crafted archive must not
 * be able to inflate a few bytes into all of memory).
 */
export function decode(codec: string, data: Uint8Array, maxBytes = Infinity): Uint8Array {
  if (codec === "raw") return data;
  if (codec === "zstd") {
    const limit = Number.isFinite(maxBytes) ? { maxOutputLength: Math.max(1, maxBytes) } : {};
    return new Uint8Array(loadZlib().zstdDecompressSync(data, limit));
  }
  throw new SqlinkError("ECODEC", `Unknown storage codec "${codec}"`, {
    hint: "This cache was written by a newer sqlink; upgrade sqlink to read it",
  });
}
