/**
 * `compose --embed a,b,c` (SPEC §7): extensions named through their `extension:<name>`
 * URIs, kept as a bundle so that composing the same set again finds the binary already
 * baked. A set some bundle already holds is that bundle; a new set is saved as
 * `compose-<first 12 hex of its set_hash>`.
 */
import { SqlinkError, UsageError } from "../errors.ts";
import { sql } from "../cas/statements.ts";
import type { CasConnection } from "../cas/connection.ts";
import { type Bundle, byName, type NewMember, saveBundle } from "../bundle/registry.ts";
import { setHash } from "../bundle/set_hash.ts";

/** Split `--embed a,b,c` (repeatable) into names, refusing an empty list or a repeat. */
export function embedNames(values: readonly string[]): string[] {
  const names = values.flatMap((v) => v.split(",")).map((n) => n.trim()).filter((n) => n !== "");
  if (names.length === 0) {
    throw new UsageError("Name the extensions to embed: --embed a,b,c", {
      hint: "List the extensions the cas-cache knows with `sqlink cas uri ls`",
    });
  }
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) {
    throw new UsageError(`Extension "${repeated}" is named twice in --embed`, {
      hint: "Name each extension once",
    });
  }
  return names;
}

/** The members `names` resolve to through `extension:<name>`, in the order given. */
export function resolveEmbed(cas: CasConnection, names: readonly string[]): NewMember[] {
  return cas.readSnapshot(() => {
    const lookup = sql(cas.db, `SELECT blake3 FROM __cas_uri WHERE uri = ?`);
    const members = names.map((name) => ({
      extensionName: name,
      contentHash: lookup.get(`extension:${name}`)?.blake3 as string | undefined,
      entryPoint: null,
    }));
    const unknown = members.filter((m) => m.contentHash === undefined).map((m) => m.extensionName);
    if (unknown.length > 0) {
      const known = sql(
        cas.db,
        `SELECT substr(uri, 11) AS name FROM __cas_uri WHERE uri LIKE 'extension:%' ORDER BY uri`,
      ).all().map((r) => String(r.name));
      throw new SqlinkError(
        "ENOTFOUND",
        `Cannot compose: the cas-cache knows no extension named ${
          unknown.map((n) => `"${n}"`).join(", ")
        }`,
        {
          hint: known.length > 0
            ? `Known extensions: ${known.join(", ")}`
            : "The cas-cache knows no extensions yet: `.load FILE` one, or `sqlink cas put FILE --uri extension:NAME`",
          details: { unknown, known },
        },
      );
    }
    return members as NewMember[];
  });
}

/**
 * The bundle holding exactly `members`' set: an existing one (preferring one already
 * baked), else a new `compose-<hash>` bundle.
 */
export function composeBundle(
  cas: CasConnection,
  members: readonly NewMember[],
): { bundle: Bundle; created: boolean } {
  const hash = setHash(members);
  const existing = cas.guard(() =>
    sql(
      cas.db,
      `SELECT name FROM __cas_bundle b WHERE set_hash = ?
       ORDER BY EXISTS (SELECT 1 FROM __cas_bundle_binary WHERE bundle_id = b.id) DESC,
                last_used_at DESC, id
       LIMIT 1`,
    ).get(hash)
  );
  if (existing) return { bundle: byName(cas.db, String(existing.name))!, created: false };
  return saveBundle(cas, `compose-${hash.slice(0, 12)}`, members);
}
