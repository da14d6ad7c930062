/**
 * Subresource-integrity strings as npm's registry publishes them (`dist.integrity`,
 * `sha512-<base64>`): checked against a download before a byte of it is read.
 */
import { SqlinkError } from "../errors.ts";
import { nodeCrypto } from "../cas/sha256.ts";

/** The SHA-512 of `integrity` (base64), or an error when it names none. */
export function sha512Of(integrity: string | undefined, what: string): string {
  const sha512 = (integrity ?? "").split(/\s+/).find((part) => part.startsWith("sha512-"));
  if (!sha512) {
    throw new SqlinkError(
      "EINTEGRITY",
      `The registry gives ${what} no sha512 integrity (it says "${integrity ?? ""}")`,
      { hint: "sqlink installs only packages whose tarball the registry vouches for with SHA-512" },
    );
  }
  return sha512.slice("sha512-".length).replace(/\?.*$/, "");
}

/** Refuse `bytes` unless their SHA-512 is `integrity`'s, naming expected and found. */
export function checkIntegrity(
  bytes: Uint8Array,
  integrity: string | undefined,
  what: string,
): void {
  const expected = sha512Of(integrity, what);
  const found = nodeCrypto().createHash("sha512").update(bytes).digest("base64");
  if (found !== expected) {
    throw new SqlinkError(
      "EINTEGRITY",
      `The tarball of ${what} does not match the registry's integrity: expected sha512-${expected}, found sha512-${found}`,
      {
        hint:
          "The download was damaged or tampered with on the way; nothing was installed. Try again, or check the registry (npm_config_registry, .npmrc)",
        details: { expected: `sha512-${expected}`, found: `sha512-${found}` },
      },
    );
  }
}
