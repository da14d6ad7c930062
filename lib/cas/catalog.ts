/** Listing artifacts and summarizing the cas-cache (`cas ls`, `cas stats`). */
import { sql } from "./statements.ts";
import type { DatabaseSync } from "../db/database.ts";
import { type ArtifactInfo, INFO_COLUMNS, toInfo } from "./artifact.ts";
import { pinnedTotal } from "./evict.ts";
import { UsageError } from "../errors.ts";

/** Sort keys of `cas ls`. */
export const SORT_KEYS = ["created", "used", "size"] as const;
/** One sort key of `cas ls`. */
export type SortKey = typeof SORT_KEYS[number];

const SORT_COLUMN: Record<SortKey, string> = {
  created: "created_at",
  used: "last_used_at",
  size: "size",
};

/** Options of `cas ls`. */
export interface ListOptions {
  sort?: SortKey;
  desc?: boolean;
  limit?: number;
  offset?: number;
}

/** An artifact as `cas ls` shows it: its row, its URIs and whether a bundle pins it. */
export interface ListedArtifact extends ArtifactInfo {
  uris: string[];
  pinned: boolean;
}

/** One page of artifacts in the requested order. */
export function listArtifacts(db: DatabaseSync, options: ListOptions = {}): ListedArtifact[] {
  const sort = options.sort ?? "created";
  if (!SORT_KEYS.includes(sort)) {
    throw new UsageError(`Unknown sort key "${sort}"`, {
      hint: `Use one of: ${SORT_KEYS.join(", ")}`,
    });
  }
  const dir = options.desc ? "DESC" : "ASC";
  const rows = sql(
    db,
    `SELECT ${INFO_COLUMNS},
       (SELECT json_group_array(uri) FROM (SELECT uri FROM __cas_uri u WHERE u.blake3 = a.blake3 ORDER BY uri)) AS uris,
       EXISTS (SELECT 1 FROM __cas_bundle_member m WHERE m.content_hash = a.blake3) AS pinned
     FROM __cas_artifact a
     ORDER BY ${SORT_COLUMN[sort]} ${dir}, rowid ${dir}
     LIMIT ? OFFSET ?`,
  ).all(options.limit ?? -1, options.offset ?? 0);
  return rows.map((row) => ({
    ...toInfo(row),
    uris: JSON.parse(String(row.uris)) as string[],
    pinned: Number(row.pinned) === 1,
  }));
}

/** The numbers `cas stats` reports. */
export interface CasStats {
  path: string;
  schemaVersion: number;
  artifacts: number;
  uris: number;
  bundles: number;
  rawBytes: number;
  storedBytes: number;
  pinnedBytes: number;
  maxBytes: number;
}

/** Count what the cache holds. */
export function casStats(
  db: DatabaseSync,
  context: { path: string; schemaVersion: number; maxBytes: number },
): CasStats {
  const art = sql(
    db,
    `SELECT count(*) AS n, total(size) AS raw, total(stored_size) AS stored FROM __cas_artifact`,
  ).get()!;
  const count = (table: string) => Number(sql(db, `SELECT count(*) AS n FROM ${table}`).get()!.n);
  return {
    ...context,
    artifacts: Number(art.n),
    uris: count("__cas_uri"),
    bundles: count("__cas_bundle"),
    rawBytes: Number(art.raw),
    storedBytes: Number(art.stored),
    pinnedBytes: pinnedTotal(db),
  };
}
