/**
 * A bundle's manifest on a remote (SPEC §10): a content-addressed blob like any other
 * (`cas/<sha256 of its bytes>`), so a name can travel as a pointer (`refs/bundles/NAME`) or
 * as the manifest's SHA-256 alone (in a lock file, a CI variable). It holds what a machine
 * needs to rebuild the bundle: its name, its set hash, and each member in load order with
 * its entry point, both hashes and size.
 */
import { SqlinkError } from "../errors.ts";
import { sha256Hex } from "../cas/sha256.ts";
import type { CasStore } from "../cas/store.ts";
import type { Bundle, NewMember } from "../bundle/registry.ts";
import { checkBundleName, missingBlobsError, missingMembers } from "../bundle/registry.ts";
import { setHash } from "../bundle/set_hash.ts";
import { extensionNameProblem } from "../ext/name.ts";

/** The `format` of a manifest. */
export const MANIFEST_FORMAT = "sqlink-bundle-manifest";
/** The newest manifest version this build writes and reads. */
export const MANIFEST_VERSION = 1;
/** No manifest is bigger (a bundle of thousands of members is still far below). */
export const MAX_MANIFEST_BYTES = 1 << 20;

/** One member as the manifest holds it. */
export interface ManifestMember {
  name: string;
  entryPoint: string | null;
  blake3: string;
  sha256: string;
  size: number;
}

/** A bundle as it travels between machines. */
export interface BundleManifest {
  format: typeof MANIFEST_FORMAT;
  version: number;
  name: string;
  setHash: string;
  /** In load order. */
  members: ManifestMember[];
}

/** The manifest of a saved bundle; every member's blob must be in the cache. */
export function manifestOf(store: CasStore, bundle: Bundle): BundleManifest {
  const missing = missingMembers(store, bundle.members);
  if (missing.length > 0) throw missingBlobsError(`Cannot push bundle "${bundle.name}"`, missing);
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    name: bundle.name,
    setHash: bundle.setHash,
    members: bundle.members.map((m) => {
      const info = store.info(m.contentHash)!;
      return {
        name: m.extensionName,
        entryPoint: m.entryPoint,
        blake3: m.contentHash,
        sha256: info.sha256,
        size: info.size,
      };
    }),
  };
}

/** The manifest's bytes: JSON with a fixed key order, so one bundle always has one key. */
export function manifestBytes(manifest: BundleManifest): { bytes: Uint8Array; sha256: string } {
  const text = JSON.stringify(
    {
      format: manifest.format,
      version: manifest.version,
      name: manifest.name,
      setHash: manifest.setHash,
      members: manifest.members.map((m) => ({
        name: m.name,
        entryPoint: m.entryPoint,
        blake3: m.blake3,
        sha256: m.sha256,
        size: m.size,
      })),
    },
    null,
    1,
  ) + "\n";
  const bytes = new TextEncoder().encode(text);
  return { bytes, sha256: sha256Hex(bytes) };
}

/** The members as the registry saves them. */
export function registryMembers(manifest: BundleManifest): NewMember[] {
  return manifest.members.map((m) => ({
    extensionName: m.name,
    contentHash: m.blake3,
    entryPoint: m.entryPoint,
  }));
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Parse and check manifest bytes fetched from `where`: shape, version, names, hashes, and
 * that the set hash matches the members. Anything off is one error; nothing is trusted.
 */
export function parseManifest(bytes: Uint8Array, where: string): BundleManifest {
  const bad = (why: string) =>
    new SqlinkError("EMANIFEST", `The bundle manifest ${where} is not usable: ${why}`, {
      hint: "Push the bundle again from a machine that has it (`sqlink bundle push NAME`)",
    });
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw bad("it is not JSON");
  }
  if (typeof json !== "object" || json === null || json.format !== MANIFEST_FORMAT) {
    throw bad("it is not a sqlink bundle manifest");
  }
  if (typeof json.version !== "number" || json.version > MANIFEST_VERSION) {
    throw new SqlinkError(
      "ENEWER",
      `The bundle manifest ${where} was written by a newer sqlink (version ${json.version})`,
      { hint: "Upgrade sqlink" },
    );
  }
  if (typeof json.name !== "string") throw bad("it has no name");
  try {
    checkBundleName(json.name);
  } catch (err) {
    throw bad((err as Error).message);
  }
  if (!Array.isArray(json.members) || json.members.length === 0) throw bad("it has no members");
  const members = json.members.map((raw, i): ManifestMember => {
    const m = raw as Record<string, unknown>;
    const problem = typeof m?.name === "string" ? extensionNameProblem(m.name) : "no name";
    if (problem) throw bad(`member ${i + 1}: ${problem}`);
    if (typeof m.blake3 !== "string" || !HEX64.test(m.blake3)) {
      throw bad(`member ${i + 1} has no BLAKE3`);
    }
    if (typeof m.sha256 !== "string" || !HEX64.test(m.sha256)) {
      throw bad(`member ${i + 1} has no SHA-256`);
    }
    if (typeof m.size !== "number" || !Number.isSafeInteger(m.size) || m.size < 0) {
      throw bad(`member ${i + 1} has no size`);
    }
    if (m.entryPoint !== null && typeof m.entryPoint !== "string") {
      throw bad(`member ${i + 1} has a malformed entry point`);
    }
    return {
      name: m.name as string,
      entryPoint: m.entryPoint as string | null,
      blake3: m.blake3,
      sha256: m.sha256,
      size: m.size,
    };
  });
  let actual: string;
  try {
    actual = setHash(members.map((m) => ({ extensionName: m.name, contentHash: m.blake3 })));
  } catch (err) {
    throw bad((err as Error).message);
  }
  if (json.setHash !== actual) throw bad("its set hash does not match its members");
  return {
    format: MANIFEST_FORMAT,
    version: json.version,
    name: json.name,
    setHash: actual,
    members,
  };
}
