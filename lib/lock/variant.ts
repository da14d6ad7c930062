/**
 * The cross-target bake (SPEC §5, §7): `bundle build NAME --target T` for another platform
 * takes T's variant of NAME from the lock file. Each member's T build comes from the cache,
 * else its origin, checked against the lock's hashes; the variant is kept as its own bundle,
 * `NAME@T`, with its own set hash (a bundle's identity is per platform), and that is what
 * gets baked. Nothing is written unless every member is at hand and checked.
 */
import type { CasStore } from "../cas/store.ts";
import { digestBytes } from "../cas/hash.ts";
import { type Bundle, byName, insertBundle } from "../bundle/registry.ts";
import { setHash } from "../bundle/set_hash.ts";
import { sql } from "../cas/statements.ts";
import { SqlinkError } from "../errors.ts";
import { hostPlatform, platformOfTarget, PLATFORMS } from "../install/platform.ts";
import { fetchOrigin } from "../install/source.ts";
import { parseLock } from "./format.ts";
import { readLockText } from "./file.ts";
import { mismatch } from "./sync.ts";

/** The bundle name a platform's variant is kept under: `NAME@TARGET`. */
export function variantName(name: string, target: string): string {
  return `${name}@${target}`;
}

/**
 * `target`'s variant of bundle `name` as the lock at `lockPath` describes it, registered
 * and with its blobs in the cache; undefined when there is nothing to do (this machine's
 * target, no lock file, or a lock without that bundle).
 */
export async function prepareVariant(
  cas: CasStore,
  lockPath: string,
  name: string,
  target: string,
): Promise<Bundle | undefined> {
  const platform = platformOfTarget(target);
  if (platform === hostPlatform()) return undefined;
  const text = readLockText(lockPath);
  if (text === undefined) return undefined;
  const locked = parseLock(text, lockPath).bundles[name];
  if (!locked) return undefined;
  for (const m of locked.members) {
    if (m.platforms[target]) continue;
    const have = PLATFORMS.filter((p) => m.platforms[p.target]).map((p) => p.target);
    throw new SqlinkError(
      "ENOVARIANT",
      `Cannot bake bundle "${name}" for ${target}: its member ${m.name} has no build for it; the lock has it for ${
        have.join(", ") || "no platform"
      }`,
      {
        hint:
          "Bake for a target every member is published for, or pick other versions and lock again",
      },
    );
  }
  const members = locked.members.map((m) => ({
    extensionName: m.name,
    contentHash: m.platforms[target].blake3,
    entryPoint: m.entryPoint,
  }));
  const items: Array<{ bytes: Uint8Array }> = [];
  await Promise.all(locked.members.map(async (m) => {
    const v = m.platforms[target];
    const info = cas.info(v.blake3);
    if (info) {
      if (info.sha256 !== v.sha256 || info.size !== v.size) {
        throw mismatch(`The cached ${target} build of ${m.name}`, v, info);
      }
      return;
    }
    const got = await fetchOrigin(v.origin, platform);
    const found = { ...digestBytes(got.bytes), size: got.bytes.length };
    if (found.blake3 !== v.blake3 || found.sha256 !== v.sha256 || found.size !== v.size) {
      throw mismatch(`${m.name} from ${v.origin}`, v, found);
    }
    items.push({ bytes: got.bytes });
  }));
  const variant = variantName(name, target);
  const hash = setHash(members);
  cas.putManyWith(items, () => {
    const existing = byName(cas.db, variant);
    if (existing && existing.setHash === hash) return;
    if (existing) {
      for (const table of ["__cas_bundle_binary", "__cas_bundle_member"]) {
        sql(cas.db, `DELETE FROM ${table} WHERE bundle_id = ?`).run(existing.id);
      }
      sql(cas.db, `DELETE FROM __cas_bundle WHERE id = ?`).run(existing.id);
    }
    insertBundle(cas.db, variant, members);
  });
  return byName(cas.db, variant);
}
