/**
 * Content identity (SPEC §3.2): BLAKE3 names an artifact, SHA-256 mirrors it for callers
 * that only know SHA-256. Both are lowercase hex.
 */
import { createHasher } from "blake3-jit";
import { blake3Hex, toHex } from "./blake3.ts";
import { nodeCrypto, sha256Hex } from "./sha256.ts";

export { blake3Hex, sha256Hex, toHex };

/** The two hex digests of one artifact's raw bytes. */
export interface Digests {
  blake3: string;
  sha256: string;
}

/** Both digests of bytes held in memory. */
export function digestBytes(bytes: Uint8Array): Digests {
  return { blake3: blake3Hex(bytes), sha256: sha256Hex(bytes) };
}

/**
 * Incremental hashing for data that arrives in pieces (big files, chunked rows).
 *
 * @example
 * ```ts
 * const h = new StreamDigest();
 * h.update(part1).update(part2);
 * const { blake3, sha256 } = h.digest();
 * ```
 */
export class StreamDigest {
  #blake3 = createHasher();
  #sha256: ReturnType<ReturnType<typeof nodeCrypto>["createHash"]> | undefined;

  /** With `withSha256: false` only BLAKE3 is computed (re-verification needs no more). */
  constructor(options: { withSha256?: boolean } = {}) {
    if (options.withSha256 !== false) this.#sha256 = nodeCrypto().createHash("sha256");
  }

  /** Feed the next piece of the input. */
  update(bytes: Uint8Array): this {
    this.#blake3.update(bytes);
    this.#sha256?.update(bytes);
    return this;
  }

  /** The digests of everything fed so far; `sha256` is "" when it was not computed. */
  digest(): Digests {
    return {
      blake3: toHex(this.#blake3.finalize()),
      sha256: this.#sha256 ? this.#sha256.digest("hex") : "",
    };
  }
}
