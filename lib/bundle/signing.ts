/**
 * Signing bundle archives: an HMAC-SHA256, keyed by `SQLINK_SIGNING_KEY`, over a canonical
 * manifest of what the archive claims (format, bundle name, set_hash, and each member's
 * name, BLAKE3, load order and entry point in load order). The blobs are covered through
 * their hashes, which import checks against the bytes; so a signed archive cannot have its
 * manifest edited, nor a member swapped together with its blob, without the key.
 */
import { nodeCrypto } from "../cas/sha256.ts";

/** The environment variable that holds the shared signing key. */
export const SIGNING_KEY_ENV = "SQLINK_SIGNING_KEY";

/** The only signature scheme there is, as it prefixes a stored signature. */
const SCHEME = "hmac-sha256:";
const SIGNATURE = /^hmac-sha256:[0-9a-f]{64}$/;

/** Everything a signature vouches for. */
export interface Manifest {
  format: string;
  version: number;
  bundle: string;
  setHash: string;
  /** In load order. */
  members: ReadonlyArray<{
    extensionName: string;
    contentHash: string;
    loadOrder: number;
    entryPoint: string | null;
  }>;
}

/** The signing key from `SQLINK_SIGNING_KEY`, or undefined when it is unset or empty. */
export function signingKeyFromEnv(): string | undefined {
  const key = Deno.env.get(SIGNING_KEY_ENV);
  return key === undefined || key === "" ? undefined : key;
}

/**
 * The bytes a signature is taken over: JSON with a fixed key order and members sorted by
 * load order, so the same manifest always gives the same text (and `null` entry points
 * cannot be confused with any name).
 */
export function manifestText(manifest: Manifest): string {
  const members = [...manifest.members].sort((a, b) => a.loadOrder - b.loadOrder).map((m) => ({
    name: m.extensionName,
    blake3: m.contentHash,
    loadOrder: m.loadOrder,
    entryPoint: m.entryPoint,
  }));
  return JSON.stringify({
    format: manifest.format,
    version: manifest.version,
    bundle: manifest.bundle,
    setHash: manifest.setHash,
    members,
  });
}

/**
 * Sign `manifest` with `key`: `hmac-sha256:<hex>`.
 *
 * @example
 * ```ts
 * const signature = signManifest(manifest, "team secret");
 * verifySignature(manifest, signature, "team secret"); // true
 * ```
 */
export function signManifest(manifest: Manifest, key: string): string {
  return SCHEME +
    nodeCrypto().createHmac("sha256", key).update(manifestText(manifest)).digest("hex");
}

/** True when `signature` is `manifest`'s under `key`; compared in constant time. */
export function verifySignature(manifest: Manifest, signature: string, key: string): boolean {
  if (!SIGNATURE.test(signature)) return false;
  // Both are 64 lowercase hex digits: every character is compared, whatever differs.
  const expected = signManifest(manifest, key);
  let difference = 0;
  for (let i = 0; i < expected.length; i++) {
    difference |= expected.charCodeAt(i) ^ signature.charCodeAt(i);
  }
  return difference === 0;
}
