/**
 * Eviction of EVICTED artifacts (4 KiB each, each with a URI) out of a cache of TOTAL:
 * `CasStore.gc` down to the newest TOTAL - EVICTED, against the floor of a raw node:sqlite
 * DELETE of the same artifact and URI rows in one transaction followed by a
 * `wal_checkpoint(TRUNCATE)`, each on its own copy of the same cache file, alternating.
 * gc does more than the floor (it picks the rows by last use and pins, and gives the space
 * back to the disk), so the ratio says what that costs. Target: gc within 1 s.
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { CasStore } from "../../lib/cas/store.ts";
import { fillRandom } from "./data.ts";
import { median } from "./startup.ts";

const TOTAL = 12_000;
const EVICTED = 10_000;
const SIZE = 4 * 1024;
const TARGET_MS = 1000;

/** Wall times in milliseconds, one per round. */
export interface EvictResult {
  gcMs: number[];
  rawMs: number[];
}

/** A cache of TOTAL blobs with URIs, put in batches, each batch used later than the last. */
function buildCache(path: string): void {
  const store = CasStore.open({ path, maxBytes: 64 * 1024 ** 3, compress: "none" });
  try {
    for (let at = 0; at < TOTAL; at += 1000) {
      store.putMany(
        Array.from({ length: 1000 }, (_, i) => ({
          bytes: fillRandom(new Uint8Array(SIZE)),
          uri: `bench:blob-${at + i}`,
        })),
      );
    }
    // Distinct, increasing last uses, so gc and the floor agree on which rows go.
    store.db.exec(`UPDATE __cas_artifact SET last_used_at = rowid`);
  } finally {
    store.close();
  }
}

function copyCache(from: string, to: string): void {
  Deno.copyFileSync(from, to);
}

function timeGc(path: string): number {
  const store = CasStore.open({ path, maxBytes: 64 * 1024 ** 3, compress: "none" });
  try {
    const started = performance.now();
    const report = store.gc((TOTAL - EVICTED) * SIZE);
    const ms = performance.now() - started;
    if (report.evicted.length !== EVICTED) {
      throw new Error(`gc evicted ${report.evicted.length} artifacts, not ${EVICTED}`);
    }
    return ms;
  } finally {
    store.close();
  }
}

function timeRaw(path: string): number {
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
    const started = performance.now();
    db.exec("BEGIN IMMEDIATE");
    db.exec(`DELETE FROM __cas_uri WHERE blake3 IN
      (SELECT blake3 FROM __cas_artifact ORDER BY last_used_at LIMIT ${EVICTED})`);
    const deleted = db.prepare(`DELETE FROM __cas_artifact WHERE rowid IN
      (SELECT rowid FROM __cas_artifact ORDER BY last_used_at LIMIT ${EVICTED})`).run().changes;
    db.exec("COMMIT");
    db.prepare("PRAGMA wal_checkpoint(TRUNCATE)").all();
    const ms = performance.now() - started;
    if (Number(deleted) !== EVICTED) throw new Error(`the floor deleted ${deleted} rows`);
    return ms;
  } finally {
    db.close();
  }
}

/** Build the cache once, then time gc and the floor on fresh copies, `rounds` times each. */
export async function measureEvict(rounds: number): Promise<EvictResult> {
  const dir = await Deno.makeTempDir({ prefix: "sqlink-bench-evict-" });
  try {
    const source = join(dir, "source.sqlite");
    buildCache(source);
    const result: EvictResult = { gcMs: [], rawMs: [] };
    for (let r = 0; r < rounds; r++) {
      const a = join(dir, `gc-${r}.sqlite`);
      const b = join(dir, `raw-${r}.sqlite`);
      copyCache(source, a);
      copyCache(source, b);
      result.gcMs.push(timeGc(a));
      result.rawMs.push(timeRaw(b));
    }
    return result;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The report lines: medians, the ratio, and PASS/MISS against 1 s. */
export function evictReport(r: EvictResult): string {
  const gc = median(r.gcMs);
  const raw = median(r.rawMs);
  const fmt = (v: number) => `${v.toFixed(0)} ms`;
  return [
    `Eviction of ${EVICTED.toLocaleString("en-US")} of ${
      TOTAL.toLocaleString("en-US")
    } artifacts (4 KiB, one URI each), ${r.gcMs.length} rounds, alternating (median / min):`,
    `  CasStore.gc (+ space back to the disk)   ${fmt(gc)} / ${fmt(Math.min(...r.gcMs))}`,
    `  raw DELETE + wal_checkpoint(TRUNCATE)    ${fmt(raw)} / ${fmt(Math.min(...r.rawMs))}`,
    `  ratio ${(gc / raw).toFixed(2)}× the raw delete; gc ${fmt(gc)} (target ≤ ${
      fmt(TARGET_MS)
    }): ${gc <= TARGET_MS ? "PASS" : "MISS"}`,
  ].join("\n");
}
