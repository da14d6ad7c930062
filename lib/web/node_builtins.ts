/**
 * The two Node modules the cas-cache core asks for, for the browser. The core reaches
 * node:crypto (SHA-256, HMAC) and node:zlib (zstd, CRC-32) only through
 * `process.getBuiltinModule` when it first needs them (lib/cas/sha256.ts, codec.ts: a shell
 * launch must not pay for loading them), so a worker that installs this `process` runs the
 * same codec and hashing code, with SHA-256 from @noble/hashes and zstd from a wasm build of
 * the reference library. BLAKE3 is blake3-jit in both places.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { hmac } from "@noble/hashes/hmac.js";
import * as zstdWasm from "@bokuweb/zstd-wasm";

const encoder = new TextEncoder();
const bytesOf = (data: Uint8Array | string) =>
  typeof data === "string" ? encoder.encode(data) : data;
const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** A Node-style hash object over a noble hash. */
function nodeHash(make: () => { update(b: Uint8Array): unknown; digest(): Uint8Array }) {
  const h = make();
  const self = {
    update(data: Uint8Array | string) {
      h.update(bytesOf(data));
      return self;
    },
    digest(encoding?: "hex") {
      const out = h.digest();
      return encoding === "hex" ? hex(out) : out;
    },
  };
  return self;
}

function unsupported(what: string): never {
  throw new Error(`${what} is not available in the browser`);
}

const crypto = {
  createHash(algorithm: string) {
    if (algorithm !== "sha256") unsupported(`createHash("${algorithm}")`);
    return nodeHash(() => sha256.create());
  },
  createHmac(algorithm: string, key: string | Uint8Array) {
    if (algorithm !== "sha256") unsupported(`createHmac("${algorithm}")`);
    return nodeHash(() => hmac.create(sha256, bytesOf(key)));
  },
};

/** zstd's frame magic, little-endian. */
const ZSTD_MAGIC = 0xfd2fb528;

/**
 * The content size a zstd frame's header declares, or undefined when it declares none. The
 * wasm decoder allocates what the header says, so a crafted frame must be refused first.
 */
function frameContentSize(data: Uint8Array): number | undefined {
  if (data.length < 5) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (view.getUint32(0, true) !== ZSTD_MAGIC) return undefined;
  const descriptor = data[4];
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const dictBytes = [0, 1, 2, 4][descriptor & 3];
  const fcsBytes = fcsFlag === 0 ? singleSegment : [0, 2, 4, 8][fcsFlag];
  if (fcsBytes === 0) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + dictBytes;
  if (at + fcsBytes > data.length) return undefined;
  switch (fcsBytes) {
    case 1:
      return data[at];
    case 2:
      return view.getUint16(at, true) + 256;
    case 4:
      return view.getUint32(at, true);
    default:
      return Number(view.getBigUint64(at, true));
  }
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

const ZSTD_C_COMPRESSION_LEVEL = 100;

const zlib = {
  constants: { ZSTD_c_compressionLevel: ZSTD_C_COMPRESSION_LEVEL },
  zstdCompressSync(
    bytes: Uint8Array,
    options: { params?: Record<number, number> } = {},
  ): Uint8Array {
    return zstdWasm.compress(bytes, options.params?.[ZSTD_C_COMPRESSION_LEVEL] ?? 3);
  },
  zstdDecompressSync(data: Uint8Array, options: { maxOutputLength?: number } = {}): Uint8Array {
    const limit = options.maxOutputLength ?? 2 ** 31;
    const declared = frameContentSize(data);
    if (declared !== undefined && declared > limit) {
      throw new RangeError(`Cannot create a Buffer larger than ${limit} bytes`);
    }
    return zstdWasm.decompress(data, { defaultHeapSize: limit });
  },
  crc32(bytes: Uint8Array): number {
    let c = 0xffffffff;
    for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  },
};

/**
 * Install `process.getBuiltinModule` for node:crypto and node:zlib, after loading the zstd
 * wasm from `zstdWasmUrl`.
 */
export async function installNodeBuiltins(zstdWasmUrl: string): Promise<void> {
  // The browser build of the package takes the wasm's URL; Deno reads its Node build's types.
  await (zstdWasm.init as (path?: string) => Promise<void>)(zstdWasmUrl);
  const modules: Record<string, unknown> = { "node:crypto": crypto, "node:zlib": zlib };
  (globalThis as unknown as { process: unknown }).process = {
    getBuiltinModule(name: string) {
      const module = modules[name];
      if (!module) unsupported(name);
      return module;
    },
  };
}
