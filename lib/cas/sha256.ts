/**
 * SHA-256 (and the rest of node:crypto) loaded on first use. Deno's node:crypto costs
 * ~12 ms to load, which a launch with a bundle, whose start-up budget is 20 ms, must not
 * pay for merely by importing a module that can compute a set_hash.
 */
type NodeCrypto = typeof import("node:crypto");

let loaded: NodeCrypto | undefined;

/** node:crypto, loaded synchronously the first time it is asked for. */
export function nodeCrypto(): NodeCrypto {
  loaded ??= (globalThis as unknown as {
    process: { getBuiltinModule(name: string): unknown };
  }).process.getBuiltinModule("node:crypto") as NodeCrypto;
  return loaded;
}

/** SHA-256 hex of `bytes` or of a UTF-8 string. */
export function sha256Hex(data: Uint8Array | string): string {
  return nodeCrypto().createHash("sha256").update(data).digest("hex");
}
