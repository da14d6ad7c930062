/**
 * A bundle's portable identity (SPEC §6.1): the SHA-256 of its members, one
 * `<extension_name>\t<content_hash>\n` line each, sorted bytewise by (name, hash). Load
 * order and entry points are deliberately left out: they are how a set is used, not what
 * it is.
 */
import { UsageError } from "../errors.ts";
import { sha256Hex } from "../cas/sha256.ts";
import { extensionNameProblem, shownName } from "../ext/name.ts";

/** One member of a set: an extension name and the BLAKE3 hex of its bytes. */
export interface SetMember {
  extensionName: string;
  contentHash: string;
}

const BLAKE3_HEX = /^[0-9a-f]{64}$/;

const utf8 = new TextEncoder();

/** Bytewise comparison of the UTF-8 encodings (JS string order is UTF-16, which differs). */
function compareBytes(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

/**
 * The members in canonical order, each once. Refuses an empty set, one name with two
 * hashes, a name that would break the line format, and a hash that is not BLAKE3 hex.
 */
export function canonicalMembers(members: readonly SetMember[]): SetMember[] {
  if (members.length === 0) {
    throw new UsageError("A bundle needs at least one extension, and this set is empty", {
      hint: "Load extensions with `.load PATH` (or `--load PATH`) before saving a bundle",
    });
  }
  const byName = new Map<string, string>();
  for (const { extensionName, contentHash } of members) {
    // The one name rule (SPEC §5): members become files under ext/ and in baked programs.
    const problem = extensionNameProblem(extensionName);
    if (problem !== undefined) {
      throw new UsageError(
        `Extension name "${shownName(extensionName)}" cannot be in a bundle: ${problem}`,
        {
          hint:
            "An extension name is a plain file-name stem such as vec0: letters, digits, _ and -, no path",
        },
      );
    }
    if (!BLAKE3_HEX.test(contentHash)) {
      throw new UsageError(`"${contentHash}" is not a BLAKE3 hash (64 lowercase hex characters)`);
    }
    const seen = byName.get(extensionName);
    if (seen !== undefined && seen !== contentHash) {
      throw new UsageError(
        `Extension "${extensionName}" appears twice in the set, with two different builds (${
          seen.slice(0, 12)
        }… and ${contentHash.slice(0, 12)}…)`,
        { hint: "A bundle holds one build of each extension: keep one of them" },
      );
    }
    byName.set(extensionName, contentHash);
  }
  return [...byName].map(([extensionName, contentHash]) => ({ extensionName, contentHash }))
    .sort((a, b) =>
      compareBytes(a.extensionName, b.extensionName) || compareBytes(a.contentHash, b.contentHash)
    );
}

/** The canonical text the hash is taken over. */
export function setText(members: readonly SetMember[]): string {
  return canonicalMembers(members).map((m) => `${m.extensionName}\t${m.contentHash}\n`).join("");
}

/**
 * The set_hash of `members`: lowercase hex SHA-256 of their canonical lines.
 *
 * @example
 * ```ts
 * setHash([{ extensionName: "vec0", contentHash: "af13…" }]); // "4c8e…"
 * ```
 */
export function setHash(members: readonly SetMember[]): string {
  return sha256Hex(setText(members));
}
