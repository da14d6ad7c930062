/** `cas verify`: re-hash everything; with repair, remove what is corrupt (SPEC §3.5). */
import { sql } from "./statements.ts";
import type { DatabaseSync } from "../db/database.ts";
import { deleteArtifact, getInfo, INFO_COLUMNS, toInfo } from "./artifact.ts";
import { snapshot } from "./db.ts";
import { findCorruption } from "./read.ts";

/** What verification found (and, with repair, removed). */
export interface VerifyReport {
  checked: number;
  corrupt: Array<{ blake3: string; reason: string }>;
  /** URIs bound to an artifact that does not exist. */
  danglingUris: string[];
  /** Chunk rows that belong to no artifact. */
  orphanChunks: number;
  repaired: boolean;
}

/** Check every artifact; `progress` is told how far it got. */
export function inspect(
  db: DatabaseSync,
  progress?: (done: number, total: number) => void,
): Omit<VerifyReport, "repaired"> {
  return snapshot(db, () => {
    const infos = sql(db, `SELECT ${INFO_COLUMNS} FROM __cas_artifact ORDER BY rowid`).all().map(
      toInfo,
    );
    const corrupt: VerifyReport["corrupt"] = [];
    infos.forEach((info, i) => {
      const reason = findCorruption(db, info);
      if (reason !== undefined) corrupt.push({ blake3: info.blake3, reason });
      progress?.(i + 1, infos.length);
    });
    const danglingUris = sql(
      db,
      `SELECT uri FROM __cas_uri WHERE blake3 NOT IN (SELECT blake3 FROM __cas_artifact) ORDER BY uri`,
    ).all().map((row) => String(row.uri));
    const orphanChunks = Number(
      sql(
        db,
        `SELECT count(*) AS n FROM __cas_chunk WHERE blake3 NOT IN (SELECT blake3 FROM __cas_artifact)`,
      ).get()!.n,
    );
    return { checked: infos.length, corrupt, danglingUris, orphanChunks };
  });
}

/**
 * Remove what `inspect` found; the caller holds the write lock. Each artifact is checked
 * again under the lock, so one another process replaced meanwhile is not deleted.
 */
export function repair(db: DatabaseSync, found: Omit<VerifyReport, "repaired">): void {
  for (const { blake3 } of found.corrupt) {
    const info = getInfo(db, blake3);
    if (info && findCorruption(db, info) !== undefined) deleteArtifact(db, blake3);
  }
  db.exec(`DELETE FROM __cas_uri WHERE blake3 NOT IN (SELECT blake3 FROM __cas_artifact)`);
  db.exec(`DELETE FROM __cas_chunk WHERE blake3 NOT IN (SELECT blake3 FROM __cas_artifact)`);
}
