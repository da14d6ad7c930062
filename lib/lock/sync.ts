/**
 * `sqlink sync [--frozen]` (SPEC §5): make this machine match the lock. Each member's build
 * for this platform comes from the local cas-cache, else the remote tier, else its origin,
 * and each is checked against the lock's BLAKE3, SHA-256 and size (a mismatch is refused,
 * naming expected and found). Nothing is written until every member is at hand and
 * checked: then one transaction puts the blobs fetched from origins, binds
 * `extension:NAME` and the origin URIs, records the installs and saves each bundle as the
 * lock says (replacing a local bundle of that name that holds another set). A lock that
 * is incomplete (a member without this platform's hashes) is completed from the sources
 * and written back; `--frozen` refuses to, for CI.
 */
import type { CasStore } from "../cas/store.ts";
import { bindUri } from "../cas/uris.ts";
import { sql } from "../cas/statements.ts";
import { digestBytes } from "../cas/hash.ts";
import { byName, insertBundle } from "../bundle/registry.ts";
import { setHash } from "../bundle/set_hash.ts";
import { SqlinkError } from "../errors.ts";
import { recordInstalled } from "../install/installed.ts";
import { hostPlatform, type Platform, PLATFORMS } from "../install/platform.ts";
import { fetchOrigin } from "../install/source.ts";
import { type Lock, type LockedVariant, parseLock, serializeLock } from "./format.ts";
import { readLockText, writeLockText } from "./file.ts";
import { resolveMember } from "./resolve.ts";

/** A blob the remotes are asked for. */
export interface RemoteWant {
  sha256: string;
  blake3: string;
  size: number;
}

/** How a sync runs. */
export interface SyncOptions {
  /** The lock file. */
  path: string;
  /** Fail instead of changing the lock file. */
  frozen: boolean;
  /** Fetch blobs from the remote tier into the cache (none configured: undefined). */
  fetchRemote?: (wants: RemoteWant[]) => Promise<void>;
  /** The platform to sync for (this machine's by default). */
  platform?: Platform;
}

/** Where each member came from, per bundle. */
export interface SyncReport {
  bundles: Array<{
    name: string;
    setHash: string;
    /** `created`, `replaced` (a local bundle of that name held another set) or `unchanged`. */
    state: "created" | "replaced" | "unchanged";
    members: Array<{ name: string; blake3: string; from: "cache" | "remote" | "origin" }>;
  }>;
  /** True when the lock file was written (completed or put in canonical form). */
  lockWritten: boolean;
}

/** The error for bytes that are not what the lock names: expected and found, side by side. */
export function mismatch(
  what: string,
  expected: LockedVariant,
  found: { blake3: string; sha256: string; size: number },
): SqlinkError {
  const diff = [
    expected.blake3 !== found.blake3 ? `blake3 ${expected.blake3}, found ${found.blake3}` : "",
    expected.sha256 !== found.sha256 ? `sha256 ${expected.sha256}, found ${found.sha256}` : "",
    expected.size !== found.size ? `size ${expected.size}, found ${found.size}` : "",
  ].filter(Boolean);
  return new SqlinkError(
    "EMISMATCH",
    `${what} does not match the lock: expected ${diff.join("; expected ")}`,
    {
      hint:
        "Nothing was changed. If the lock is right, the source changed or the download was damaged; if the source is right, run `sqlink lock` and review the diff",
      details: { expected, found },
    },
  );
}

function lockNotFound(path: string): SqlinkError {
  return new SqlinkError("ENOLOCK", `There is no lock file at ${path}`, {
    hint: "Write one with `sqlink lock [BUNDLE…]` after saving a bundle of installed extensions",
  });
}

/** Read and parse the lock at `path` (missing → ENOLOCK). */
export function readLock(path: string): { lock: Lock; text: string } {
  const text = readLockText(path);
  if (text === undefined) throw lockNotFound(path);
  return { lock: parseLock(text, path), text };
}

/** Complete members that lack hashes (or an npm version) from their sources. */
async function complete(lock: Lock, frozen: boolean, path: string): Promise<void> {
  for (const [name, bundle] of Object.entries(lock.bundles)) {
    for (const member of bundle.members) {
      const resolved = Object.keys(member.platforms).length > 0 &&
        (member.version !== null || !member.source.startsWith("npm:"));
      if (resolved) continue;
      if (frozen) {
        throw new SqlinkError(
          "ELOCKSTALE",
          `${path} is not complete: member ${member.name} of bundle "${name}" has no resolved version and hashes, and --frozen forbids writing them`,
          {
            hint:
              "Run `sqlink sync` (or `sqlink lock`) without --frozen, review and commit the lock",
          },
        );
      }
      const found = await resolveMember(member.source, member.version);
      member.version = found.version;
      member.platforms = found.platforms;
    }
  }
}

/** Sync this machine with the lock; see the module comment. */
export async function syncLock(cas: CasStore, options: SyncOptions): Promise<SyncReport> {
  const platform = options.platform ?? hostPlatform();
  const { lock, text } = readLock(options.path);
  await complete(lock, options.frozen, options.path);
  const canonical = serializeLock(lock);
  if (canonical !== text && options.frozen) {
    throw new SqlinkError(
      "ELOCKSTALE",
      `${options.path} would change (it is not in the form \`sqlink lock\` writes), and --frozen forbids it`,
      { hint: "Run `sqlink sync` without --frozen, review and commit the lock" },
    );
  }
  // Every member must have this platform's build before anything is fetched.
  const wanted = new Map<string, { name: string; variant: LockedVariant }>();
  for (const [bundleName, bundle] of Object.entries(lock.bundles)) {
    for (const member of bundle.members) {
      const variant = member.platforms[platform.target];
      if (!variant) {
        const have = PLATFORMS.filter((p) => member.platforms[p.target]).map((p) => p.target);
        throw new SqlinkError(
          "ENOVARIANT",
          `Member ${member.name} of bundle "${bundleName}" has no build for ${platform.target} (${platform.npm}); the lock has it for ${
            have.length > 0 ? have.join(", ") : "no platform"
          }`,
          { hint: "Pick a version of it published for this platform, install it and lock again" },
        );
      }
      wanted.set(variant.blake3, { name: member.name, variant });
    }
  }
  const from = new Map<string, "cache" | "remote" | "origin">();
  const missing = () =>
    [...wanted.values()].filter(({ variant }) =>
      !from.has(variant.blake3) && !cas.info(variant.blake3)
    );
  for (const { name, variant } of wanted.values()) {
    const info = cas.info(variant.blake3);
    if (!info) continue;
    if (info.sha256 !== variant.sha256 || info.size !== variant.size) {
      throw mismatch(`The cached build of ${name}`, variant, info);
    }
    from.set(variant.blake3, "cache");
  }
  if (missing().length > 0 && options.fetchRemote) {
    await options.fetchRemote(missing().map(({ variant }) => variant));
    for (const { variant } of wanted.values()) {
      if (!from.has(variant.blake3) && cas.info(variant.blake3)) from.set(variant.blake3, "remote");
    }
  }
  const fetched = await Promise.all(
    missing().map(async ({ name, variant }) => {
      const got = await fetchOrigin(variant.origin, platform);
      const found = { ...digestBytes(got.bytes), size: got.bytes.length };
      if (
        found.blake3 !== variant.blake3 || found.sha256 !== variant.sha256 ||
        found.size !== variant.size
      ) {
        throw mismatch(`${name} from ${variant.origin}`, variant, found);
      }
      return { name, variant, bytes: got.bytes };
    }),
  );
  for (const { variant } of fetched) from.set(variant.blake3, "origin");

  const now = Date.now();
  const report: SyncReport = { bundles: [], lockWritten: false };
  // A machine that already matches is only read: a second sync writes nothing.
  const matches = fetched.length === 0 &&
    cas.readSnapshot(() =>
      Object.entries(lock.bundles).every(([bundleName, bundle]) => {
        const members = bundle.members.map((m) => ({
          extensionName: m.name,
          contentHash: m.platforms[platform.target].blake3,
        }));
        return byName(cas.db, bundleName)?.setHash === setHash(members) &&
          bundle.members.every((m) => {
            const v = m.platforms[platform.target];
            const row = sql(
              cas.db,
              `SELECT (SELECT blake3 FROM __cas_uri WHERE uri = ?) AS bound,
                    (SELECT origin FROM __cas_ext_origin WHERE name = ? AND blake3 = ?) AS origin`,
            ).get(`extension:${m.name}`, m.name, v.blake3);
            return row?.bound === v.blake3 && row?.origin === v.origin;
          });
      })
    );
  if (matches) {
    for (const [bundleName, bundle] of Object.entries(lock.bundles)) {
      const members = bundle.members.map((m) => ({
        extensionName: m.name,
        contentHash: m.platforms[platform.target].blake3,
      }));
      report.bundles.push({
        name: bundleName,
        setHash: setHash(members),
        state: "unchanged",
        members: members.map((m) => ({
          name: m.extensionName,
          blake3: m.contentHash,
          from: "cache",
        })),
      });
    }
  } else {
    cas.putManyWith(fetched.map(({ bytes }) => ({ bytes })), () => {
      for (const [bundleName, bundle] of Object.entries(lock.bundles)) {
        const members = bundle.members.map((m) => ({
          extensionName: m.name,
          contentHash: m.platforms[platform.target].blake3,
          entryPoint: m.entryPoint,
        }));
        for (const m of bundle.members) {
          const v = m.platforms[platform.target];
          bindUri(cas.db, `extension:${m.name}`, v.blake3, now);
          bindUri(cas.db, v.origin, v.blake3, now);
          recordInstalled(cas.db, {
            name: m.name,
            source: m.source,
            version: m.version,
            origin: v.origin,
            blake3: v.blake3,
            sha256: v.sha256,
            size: v.size,
          }, now);
        }
        const hash = setHash(members);
        const existing = byName(cas.db, bundleName);
        let state: "created" | "replaced" | "unchanged" = "created";
        if (existing && existing.setHash === hash) state = "unchanged";
        else if (existing) {
          // The lock is what this machine must match: the local bundle of that name goes.
          for (const table of ["__cas_bundle_binary", "__cas_bundle_member"]) {
            sql(cas.db, `DELETE FROM ${table} WHERE bundle_id = ?`).run(existing.id);
          }
          sql(cas.db, `DELETE FROM __cas_bundle WHERE id = ?`).run(existing.id);
          state = "replaced";
        }
        if (state !== "unchanged") insertBundle(cas.db, bundleName, members, now);
        report.bundles.push({
          name: bundleName,
          setHash: hash,
          state,
          members: bundle.members.map((m) => ({
            name: m.name,
            blake3: m.platforms[platform.target].blake3,
            from: from.get(m.platforms[platform.target].blake3) ?? "cache",
          })),
        });
      }
    });
  }
  if (canonical !== text) {
    writeLockText(options.path, canonical);
    report.lockWritten = true;
  }
  return report;
}
