/**
 * How users name artifacts (SPEC §3.2, §3.3): a full BLAKE3 or SHA-256 hex hash,
 * `blake3:<hex>` / `sha256:<hex>` (full or prefix), a bare hex prefix of at least 4
 * characters (matched against BLAKE3), or a URI such as `extension:vec0`.
 */
import { sql } from "./statements.ts";
import type { DatabaseSync } from "../db/database.ts";
import { SqlinkError, UsageError } from "../errors.ts";

/** A parsed artifact reference. */
export type Ref =
  | { kind: "hash"; algo: "blake3" | "sha256" | "any"; hex: string }
  | { kind: "uri"; uri: string };

/** Shortest accepted hex prefix. */
export const MIN_PREFIX = 4;
const FULL = 64;
const URI_SHAPE = /^[a-zA-Z][a-zA-Z0-9+.-]*:./;

function malformed(text: string): UsageError {
  return new UsageError(`"${text}" is not a hash or a URI`, {
    hint:
      `Give a BLAKE3 or SHA-256 hex hash or a prefix of at least ${MIN_PREFIX} hex characters, ` +
      "blake3:<hex>, sha256:<hex>, or a URI such as extension:vec0",
  });
}

/** Check that `uri` has a scheme (`extension:vec0`, `file:///x.so`). */
export function checkUri(uri: string): string {
  if (!URI_SHAPE.test(uri)) {
    throw new UsageError(`"${uri}" is not a URI`, {
      hint: "A URI starts with a scheme and a colon, e.g. extension:vec0 or file:///abs/vec0.so",
    });
  }
  return uri;
}

/** Parse what a user typed to name an artifact. */
export function parseRef(text: string): Ref {
  const tagged = /^(blake3|sha256):(.*)$/i.exec(text);
  if (tagged) {
    const hex = tagged[2].toLowerCase();
    if (!/^[0-9a-f]+$/.test(hex) || hex.length < MIN_PREFIX || hex.length > FULL) {
      throw malformed(text);
    }
    return { kind: "hash", algo: tagged[1].toLowerCase() as "blake3" | "sha256", hex };
  }
  if (/^[0-9a-fA-F]+$/.test(text)) {
    if (text.length < MIN_PREFIX || text.length > FULL) throw malformed(text);
    return { kind: "hash", algo: text.length === FULL ? "any" : "blake3", hex: text.toLowerCase() };
  }
  if (URI_SHAPE.test(text)) return { kind: "uri", uri: text };
  throw malformed(text);
}

function candidatesByPrefix(db: DatabaseSync, column: "blake3" | "sha256", hex: string): string[] {
  if (hex.length === FULL) {
    return sql(db, `SELECT blake3 FROM __cas_artifact WHERE ${column} = ?`).all(hex)
      .map((row) => String(row.blake3));
  }
  // Hex digits sort below "g", so [prefix, prefix + "g") is exactly the prefix's range and
  // the index answers it without a scan.
  return sql(
    db,
    `SELECT blake3 FROM __cas_artifact WHERE ${column} >= ? AND ${column} < ? ORDER BY blake3 LIMIT 11`,
  ).all(hex, hex + "g").map((row) => String(row.blake3));
}

/**
 * Find the BLAKE3 key of the artifact `ref` names by hash. URIs are resolved by the store,
 * which also touches them. Unknown → ENOTFOUND; several matches → EAMBIGUOUS with candidates.
 */
export function findByHash(
  db: DatabaseSync,
  ref: Extract<Ref, { kind: "hash" }>,
  text: string,
): string {
  const found = ref.algo === "any"
    ? [
      ...new Set([
        ...candidatesByPrefix(db, "blake3", ref.hex),
        ...candidatesByPrefix(db, "sha256", ref.hex),
      ]),
    ]
    : candidatesByPrefix(db, ref.algo, ref.hex);
  if (found.length === 1) return found[0];
  if (found.length === 0) {
    throw new SqlinkError("ENOTFOUND", `No artifact in the cas-cache matches "${text}"`, {
      hint:
        "List what the cache holds with `sqlink cas ls`, or add the file with `sqlink cas put FILE`",
    });
  }
  const shown = found.slice(0, 10);
  throw new SqlinkError(
    "EAMBIGUOUS",
    `Hash prefix "${text}" is ambiguous: it matches ${
      found.length > 10 ? "more than 10" : found.length
    } artifacts: ${shown.join(", ")}`,
    { hint: "Give more characters of the hash", details: { candidates: shown } },
  );
}
