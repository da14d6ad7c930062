/**
 * Bundles on a remote (SPEC §10): `bundle push` uploads the members the remote lacks, the
 * manifest, and the name pointer `refs/bundles/NAME`; `bundle pull NAME|MANIFEST-SHA256`
 * follows the pointer (or takes the manifest's key), checks the manifest, fetches only the
 * members this cache lacks, and saves the bundle. A pull of a bundle this cache already
 * holds whole asks the remote for the pointer and the manifest, nothing more.
 */
import { SqlinkError } from "../errors.ts";
import type { CasStore } from "../cas/store.ts";
import {
  type Bundle,
  byName,
  checkBundleName,
  findBundle,
  insertBundle,
  missingBlobsError,
  missingMembers,
  nameTakenError,
} from "../bundle/registry.ts";
import {
  type BundleManifest,
  manifestBytes,
  manifestOf,
  MAX_MANIFEST_BYTES,
  parseManifest,
  registryMembers,
} from "./manifest.ts";
import type { PushedTo, RemoteName, RemoteTier } from "./tier.ts";

/** What a bundle push did. */
export interface BundlePush {
  bundle: Bundle;
  manifestSha256: string;
  /** Per remote: the member blobs. */
  members: PushedTo[];
  /** Per remote: the manifest. */
  manifest: PushedTo[];
  /** Per remote: the name pointer. */
  refs: PushedTo[];
}

/** Push bundle `ref` (a name or set-hash prefix) to every read-write remote. */
export async function pushBundle(
  tier: RemoteTier,
  store: CasStore,
  ref: string,
): Promise<BundlePush> {
  const bundle = findBundle(store, ref);
  const manifest = manifestOf(store, bundle);
  const { bytes, sha256 } = manifestBytes(manifest);
  const members = await tier.push(
    store,
    manifest.members.map((m) => ({ blake3: m.blake3, sha256: m.sha256, size: m.size })),
  );
  // The manifest only once its members are there, and the name only once its manifest is:
  // a reader never follows a name to something incomplete.
  const manifestReports = await tier.pushBytes(bytes, sha256);
  const refs = await tier.putRef(bundle.name, sha256);
  return { bundle, manifestSha256: sha256, members, manifest: manifestReports, refs };
}

/** What a bundle pull did. */
export interface BundlePull {
  bundle: Bundle;
  created: boolean;
  manifestSha256: string;
  /** Where the manifest came from. */
  from: RemoteName;
  /** Each member in load order: fetched from a remote, or already here. */
  members: Array<{ name: string; blake3: string; size: number; fetched: boolean }>;
}

/**
 * Pull a bundle by name (through `refs/bundles/NAME`) or by its manifest's SHA-256, and save
 * it as `as` (default: the manifest's name). v1 naming: a local name holding another set
 * is an error, and nothing is saved.
 */
export async function pullBundle(
  tier: RemoteTier,
  store: CasStore,
  ref: string,
  options: { as?: string } = {},
): Promise<BundlePull> {
  let sha256: string;
  if (/^(sha256:)?[0-9a-f]{64}$/i.test(ref)) {
    sha256 = ref.replace(/^sha256:/i, "").toLowerCase();
  } else {
    checkBundleName(ref);
    const pointer = await tier.getRef(ref);
    if (!pointer) {
      throw new SqlinkError("ENOTFOUND", `No remote has a bundle named "${ref}"`, {
        hint:
          "Push it from a machine that has it (`sqlink bundle push NAME`), or pull it by its manifest's SHA-256",
      });
    }
    sha256 = pointer.sha256;
  }
  const got = await tier.fetchBytes(sha256, MAX_MANIFEST_BYTES);
  if (!got) {
    throw new SqlinkError("ENOTFOUND", `No remote has the bundle manifest ${sha256}`, {
      hint: "Push the bundle again from a machine that has it (`sqlink bundle push NAME`)",
    });
  }
  const manifest = parseManifest(got.bytes, sha256.slice(0, 16) + "…");
  const name = checkBundleName(options.as ?? manifest.name);
  const members = registryMembers(manifest);
  const nameFree = () => {
    const taken = byName(store.db, name);
    if (taken && taken.setHash !== manifest.setHash) {
      throw nameTakenError(
        taken,
        manifest.setHash,
        `Pull it under another name with \`sqlink bundle pull ${ref} --as NEW_NAME\`, or delete the local bundle first with \`sqlink bundle delete ${name}\``,
      );
    }
  };
  store.guard(nameFree);
  const absent = new Set(missingMembers(store, members).map((m) => m.contentHash));
  await fetchAbsent(tier, store, manifest, absent);
  const still = missingMembers(store, members);
  if (still.length > 0) throw missingBlobsError(`Cannot pull bundle "${name}"`, still);
  const saved = store.write(() => {
    nameFree(); // again under the write lock: another process may have taken the name
    const result = insertBundle(store.db, name, members);
    return result;
  });
  for (const m of manifest.members) store.bindUris([`extension:${m.name}`], m.blake3);
  return {
    bundle: saved.bundle,
    created: saved.created,
    manifestSha256: sha256,
    from: got.from,
    members: manifest.members.map((m) => ({
      name: m.name,
      blake3: m.blake3,
      size: m.size,
      fetched: absent.has(m.blake3),
    })),
  };
}

async function fetchAbsent(
  tier: RemoteTier,
  store: CasStore,
  manifest: BundleManifest,
  absent: ReadonlySet<string>,
): Promise<void> {
  const wants = manifest.members.filter((m) => absent.has(m.blake3)).map((m) => ({
    sha256: m.sha256,
    blake3: m.blake3,
    size: m.size,
  }));
  if (wants.length > 0) await tier.fetch(store, wants);
}
