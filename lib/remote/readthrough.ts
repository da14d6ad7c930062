/**
 * Read-through (SPEC §10): what a local miss can ask the remotes for. Remotes key blobs by
 * SHA-256, so a miss is fetchable when the reference gives a full SHA-256, or a full BLAKE3
 * whose SHA-256 the cache still knows (a bundle records its members' both hashes).
 */
import type { CasConnection } from "../cas/connection.ts";
import { parseRef } from "../cas/refs.ts";
import { sql } from "../cas/statements.ts";
import type { Want } from "./tier.ts";

/** The SHA-256 a saved bundle recorded for the blob `blake3`, if any. */
export function knownSha256(cas: CasConnection, blake3: string): string | undefined {
  const row = cas.guard(() =>
    sql(
      cas.db,
      `SELECT sha256 FROM __cas_bundle_member WHERE content_hash = ? AND sha256 IS NOT NULL LIMIT 1`,
    ).get(blake3)
  );
  return row ? String(row.sha256) : undefined;
}

/** The BLAKE3 a saved bundle recorded for the blob `sha256`, if any. */
function knownBlake3(cas: CasConnection, sha256: string): string | undefined {
  const row = cas.guard(() =>
    sql(cas.db, `SELECT content_hash FROM __cas_bundle_member WHERE sha256 = ? LIMIT 1`).get(sha256)
  );
  return row ? String(row.content_hash) : undefined;
}

/**
 * What to ask the remotes for when `text` (a user's reference) misses locally, or undefined
 * when it cannot name a remote blob (a prefix, a URI, a BLAKE3 of unknown SHA-256).
 */
export function wantFor(cas: CasConnection, text: string): Want | undefined {
  let ref;
  try {
    ref = parseRef(text);
  } catch {
    return undefined;
  }
  if (ref.kind !== "hash" || ref.hex.length !== 64) return undefined;
  if (ref.algo === "sha256") return { sha256: ref.hex, blake3: knownBlake3(cas, ref.hex) };
  const sha256 = knownSha256(cas, ref.hex);
  if (sha256) return { sha256, blake3: ref.hex };
  // A bare 64-hex hash may be either kind; as a remote key it can only be a SHA-256.
  if (ref.algo === "any") return { sha256: ref.hex, blake3: knownBlake3(cas, ref.hex) };
  return undefined;
}
