/**
 * What `sqlink lock` writes for a member: every platform's build of its source at the
 * version installed, each downloaded (integrity-checked) and hashed. Other platforms'
 * libraries are hashed, never loaded or kept; this platform's must be the blob the bundle
 * holds, or the source no longer serves what was installed.
 */
import { digestBytes } from "../cas/hash.ts";
import type { CasConnection } from "../cas/connection.ts";
import { type Bundle, byName } from "../bundle/registry.ts";
import { SqlinkError } from "../errors.ts";
import { installedByHash } from "../install/installed.ts";
import { hostPlatform, PLATFORMS } from "../install/platform.ts";
import { fetchVariant, parseSource, resolveSource, type Variant } from "../install/source.ts";
import type { Lock, LockedBundle, LockedMember, LockedVariant } from "./format.ts";

/** A member resolved: its version, every platform's hashes, and this platform's library. */
export interface ResolvedMember {
  version: string | null;
  platforms: Record<string, LockedVariant>;
  host?: Variant;
}

/** The source pinned to `version` when it is known (npm), so a lock is reproducible. */
function pinned(source: string, version: string | null): string {
  const parsed = parseSource(source);
  return parsed.kind === "npm" && version ? `npm:${parsed.spec.name}@${version}` : source;
}

/** Resolve `source` (at `version`, when given) for every platform it is published for. */
export async function resolveMember(
  source: string,
  version: string | null,
): Promise<ResolvedMember> {
  const resolved = await resolveSource(parseSource(pinned(source, version)));
  const host = hostPlatform();
  // A pinned URL is one file: one platform's build, this one's.
  const platforms = resolved.kind === "https" ? [host] : PLATFORMS;
  const variants = await Promise.all(platforms.map((p) => fetchVariant(resolved, p)));
  const locked: Record<string, LockedVariant> = {};
  let hostVariant: Variant | undefined;
  for (const variant of variants) {
    if (!variant) continue;
    const { blake3, sha256 } = digestBytes(variant.bytes);
    locked[variant.platform.target] = {
      origin: variant.origin,
      blake3,
      sha256,
      size: variant.bytes.length,
    };
    if (variant.platform === host) hostVariant = variant;
  }
  return { version: resolved.version, platforms: locked, host: hostVariant };
}

/** Lock a saved bundle: each member's installed source, resolved for every platform. */
export async function lockBundle(cas: CasConnection, bundle: Bundle): Promise<LockedBundle> {
  const members: LockedMember[] = [];
  const host = hostPlatform();
  const resolved = await Promise.all(bundle.members.map(async (member) => {
    const installed = cas.guard(() => installedByHash(cas.db, member.contentHash));
    if (!installed) {
      throw new SqlinkError(
        "ENOORIGIN",
        `Cannot lock bundle "${bundle.name}": its member ${member.extensionName} was not installed from a source, so the lock could not say where to get it`,
        {
          hint:
            `Install it by name (\`sqlink ext add npm:PACKAGE\`), then save the bundle again with that build`,
        },
      );
    }
    const found = await resolveMember(installed.source, installed.version);
    const here = found.platforms[host.target];
    if (!here || here.blake3 !== member.contentHash) {
      throw new SqlinkError(
        "EMISMATCH",
        `Cannot lock bundle "${bundle.name}": ${installed.origin} now serves ${
          here ? `blake3 ${here.blake3}` : "nothing"
        }, but the bundle holds blake3 ${member.contentHash}`,
        { hint: "The source changed since the install: check it, or install and save again" },
      );
    }
    return { member, installed, found };
  }));
  for (const { member, installed, found } of resolved) {
    members.push({
      name: member.extensionName,
      entryPoint: member.entryPoint,
      source: installed.source,
      version: found.version,
      platforms: found.platforms,
    });
  }
  return { members };
}

/**
 * `sqlink lock [BUNDLE…]`: the lock with the named bundles (all saved ones when none is
 * named and `existing` has none; else those `existing` holds) locked afresh from this cache;
 * bundles not named keep their entries.
 */
export async function updateLock(
  cas: CasConnection,
  existing: Lock | undefined,
  names: readonly string[],
  allSaved: () => string[],
): Promise<Lock> {
  const lock: Lock = { bundles: { ...(existing?.bundles ?? {}) } };
  const wanted = names.length > 0
    ? names
    : existing && Object.keys(existing.bundles).length > 0
    ? Object.keys(existing.bundles)
    : allSaved();
  if (wanted.length === 0) {
    throw new SqlinkError("ENOTFOUND", "There is no bundle to lock", {
      hint:
        "Install extensions (`sqlink ext add npm:sqlite-vec`), load them and save a bundle (`.bundle save NAME`), then `sqlink lock NAME`",
    });
  }
  for (const name of wanted) {
    const bundle = cas.guard(() => byName(cas.db, name));
    if (!bundle) {
      if (names.length === 0 && lock.bundles[name]) continue;
      throw new SqlinkError("ENOTFOUND", `Cannot lock bundle "${name}": no bundle has that name`, {
        hint: "List the saved bundles with `sqlink bundle list`",
      });
    }
    lock.bundles[name] = await lockBundle(cas, bundle);
  }
  return lock;
}
