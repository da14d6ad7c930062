/**
 * `.load NAME` / `--load NAME` for a name the cache does not hold but the lock file knows
 * (SPEC §5): the member's build for this platform is fetched from its origin, checked
 * against the lock's hashes, and put in the cache as `extension:NAME` (with its origin
 * recorded), so the load that follows finds it there. Names that are files, or that the
 * cache holds, are left alone; a name the lock does not know is left for the load to report.
 */
import { pathExists } from "../fs.ts";
import type { CasStore } from "../cas/store.ts";
import { digestBytes } from "../cas/hash.ts";
import { bindUri } from "../cas/uris.ts";
import { sql } from "../cas/statements.ts";
import { SqlinkError } from "../errors.ts";
import { extensionNameProblem, librarySuffix } from "../ext/name.ts";
import { recordInstalled } from "../install/installed.ts";
import { hostPlatform } from "../install/platform.ts";
import { fetchOrigin } from "../install/source.ts";
import { parseLock } from "./format.ts";
import { readLockText } from "./file.ts";

function cached(cas: CasStore, name: string): boolean {
  const row = cas.guard(() =>
    sql(
      cas.db,
      `SELECT 1 FROM __cas_uri u JOIN __cas_artifact a ON a.blake3 = u.blake3 WHERE u.uri = ?`,
    ).get(`extension:${name}`)
  );
  return row !== undefined;
}

/** Fetch the names among `names` that only the lock at `lockPath` knows; see the module comment. */
export async function fetchLockedNames(
  cas: CasStore,
  names: readonly string[],
  lockPath: string,
): Promise<string[]> {
  const wanted = names.filter((name) =>
    extensionNameProblem(name) === undefined && !pathExists(name) &&
    !pathExists(name + librarySuffix()) && !cached(cas, name)
  );
  if (wanted.length === 0) return [];
  const text = readLockText(lockPath);
  if (text === undefined) return [];
  const lock = parseLock(text, lockPath);
  const platform = hostPlatform();
  const fetched: string[] = [];
  for (const name of wanted) {
    const member = Object.values(lock.bundles).flatMap((b) => b.members).find((m) =>
      m.name === name
    );
    const variant = member?.platforms[platform.target];
    if (!member || !variant) continue;
    const got = await fetchOrigin(variant.origin, platform);
    const found = digestBytes(got.bytes);
    if (found.blake3 !== variant.blake3 || found.sha256 !== variant.sha256) {
      throw new SqlinkError(
        "EMISMATCH",
        `${name} from ${variant.origin} does not match ${lockPath}: expected blake3 ${variant.blake3}, found ${found.blake3}`,
        {
          hint: "Nothing was loaded. Check the lock and the origin",
          details: { expected: variant, found },
        },
      );
    }
    const now = Date.now();
    cas.putManyWith([{ bytes: got.bytes }], () => {
      bindUri(cas.db, `extension:${name}`, variant.blake3, now);
      bindUri(cas.db, variant.origin, variant.blake3, now);
      recordInstalled(
        cas.db,
        { name, source: member.source, version: member.version, ...variant },
        now,
      );
    });
    fetched.push(name);
  }
  return fetched;
}
