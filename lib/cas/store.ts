/**
 * The cas-cache (SPEC §3): one object over the database that every command shares.
 * It composes the single-job modules beside it and owns what they have in common: the
 * connection, the cap, the compression policy, and error translation.
 */
import { sql } from "./statements.ts";
import type { DatabaseSync } from "../db/database.ts";
import { fsError, SqlinkError } from "../errors.ts";
import { newTempSibling, removeQuietly } from "../fs.ts";
import {
  type ArtifactInfo,
  deleteArtifact,
  getInfo,
  touchArtifact,
  useIsStale,
} from "./artifact.ts";
import {
  type CasStats,
  casStats,
  listArtifacts,
  type ListedArtifact,
  type ListOptions,
} from "./catalog.ts";
import type { CompressPolicy } from "./codec.ts";
import type { CasConnection } from "./connection.ts";
import { immediate, immediateIfFree, openCasDatabase, snapshot, sqliteError } from "./db.ts";
import { evict, type EvictionReport } from "./evict.ts";
import { storedTotal } from "./total.ts";
import { cacheFileBytes, reclaim, type ReclaimReport } from "./reclaim.ts";
import { readByKey, readVerified, streamVerified } from "./read.ts";
import { findByHash, parseRef } from "./refs.ts";
import { SCHEMA_VERSION } from "./schema.ts";
import {
  bindUri,
  listUris,
  lookupUri,
  removeUri,
  touchUri,
  type UriBinding,
  uriUseIsStale,
} from "./uris.ts";
import { inspect, repair, type VerifyReport } from "./verify.ts";
import { type ByteProgress, putBatch, putFile, type PutItem, type PutResult } from "./write.ts";

/** The default cap: 1 GiB of stored bytes. */
export const DEFAULT_MAX_BYTES = 1024 ** 3;

/** How to open a CasStore. */
export interface CasOptions {
  /** The database file. */
  path: string;
  /** Cap on stored bytes; defaults to DEFAULT_MAX_BYTES. */
  maxBytes?: number;
  /** When to zstd-compress blobs; defaults to `auto`. */
  compress?: CompressPolicy;
}

/** What a put did, and the eviction it caused, if any. */
export interface PutOutcome {
  results: PutResult[];
  eviction?: EvictionReport;
}

/**
 * A content-addressed store of extension binaries in one SQLite file.
 *
 * @example
 * ```ts
 * const cas = CasStore.open({ path: "/tmp/cas.sqlite" });
 * const { blake3 } = cas.put(new TextEncoder().encode("hello"), { uri: "note:hello" });
 * const bytes = cas.read(cas.resolve("note:hello"));
 * cas.close();
 * ```
 */
export class CasStore implements CasConnection {
  /** The database file. */
  readonly path: string;
  /** Cap on stored bytes. */
  readonly maxBytes: number;
  /** When blobs are compressed. */
  readonly compress: CompressPolicy;
  #db: DatabaseSync;

  private constructor(db: DatabaseSync, options: Required<CasOptions>) {
    this.#db = db;
    this.path = options.path;
    this.maxBytes = options.maxBytes;
    this.compress = options.compress;
  }

  /** Open or create the cache at `options.path`, migrating it to the current schema. */
  static open(options: CasOptions): CasStore {
    const db = openCasDatabase(options.path);
    return new CasStore(db, {
      path: options.path,
      maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
      compress: options.compress ?? "auto",
    });
  }

  /**
   * A store over a connection another driver opened and prepared (`prepare` in db.ts): the
   * browser's sqlite-wasm cache (lib/web/), whose file is not a path on disk.
   */
  static fromDatabase(db: DatabaseSync, options: CasOptions): CasStore {
    return new CasStore(db, {
      path: options.path,
      maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
      compress: options.compress ?? "auto",
    });
  }

  /** The connection, for modules that keep their own tables here (the bundle registry). */
  get db(): DatabaseSync {
    return this.#db;
  }

  /** Run `fn`, translating SQLite failures into SqlinkErrors that name this cache. */
  guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw sqliteError(err, this.path);
    }
  }

  /** Run `fn` in a `BEGIN IMMEDIATE` write transaction. */
  write<T>(fn: () => T): T {
    return this.guard(() => immediate(this.#db, fn));
  }

  /** Run `fn` in a write transaction if no other process is writing, else return undefined. */
  writeIfFree<T>(fn: () => T): T | undefined {
    return this.guard(() => immediateIfFree(this.#db, fn));
  }

  /** Run `fn` in a read transaction (one consistent snapshot). */
  readSnapshot<T>(fn: () => T): T {
    return this.guard(() => snapshot(this.#db, fn));
  }

  /** Put bytes; see `putMany`. */
  put(bytes: Uint8Array, options: { uri?: string } = {}): PutResult {
    return this.putMany([{ bytes, uri: options.uri }]).results[0];
  }

  /** Put several blobs in one transaction, each with an optional URI, then enforce the cap. */
  putMany(items: PutItem[]): PutOutcome {
    const results = putBatch(this.#db, items, this.compress, (fn) => this.write(fn));
    return { results, eviction: this.#afterPut(results) };
  }

  /**
   * Put blobs and, in the same transaction, run `also` with what was put (rows that must
   * land together with the blobs, such as an imported bundle's), then enforce the cap.
   */
  putManyWith<T>(
    items: PutItem[],
    also: (results: PutResult[]) => T,
  ): PutOutcome & { value: T } {
    let value!: T;
    const results = putBatch(this.#db, items, this.compress, (fn) =>
      this.write(() => {
        const done = fn();
        value = also(done as PutResult[]);
        return done;
      }));
    return { results, eviction: this.#afterPut(results), value };
  }

  /** Put files (big ones streamed in chunks), each in its own transaction, then enforce the cap. */
  putFiles(paths: string[], options: { uri?: string; progress?: ByteProgress } = {}): PutOutcome {
    const results: PutResult[] = [];
    try {
      for (const path of paths) {
        const write = <T>(fn: () => T) => this.write(fn);
        results.push(putFile(this.#db, path, options.uri, this.compress, write, options.progress));
      }
    } catch (err) {
      // The files before the failing one are committed: they still count against the cap.
      try {
        this.#afterPut(results);
      } catch {
        // The put's own error is the one to report; the next put evicts.
      }
      throw err;
    }
    return { results, eviction: this.#afterPut(results) };
  }

  /** Evict when a put took the cache over the cap, keeping what the put just stored. */
  #afterPut(results: PutResult[]): EvictionReport | undefined {
    // The stored total is one row the schema's triggers keep (schema v4): reading it costs
    // a put nothing, whoever else writes to the cache.
    if (this.guard(() => storedTotal(this.#db)) <= this.maxBytes) return undefined;
    const protect = new Set(results.map((r) => r.blake3));
    const report = this.write(() => evict(this.#db, this.maxBytes, protect));
    if (report.evicted.length > 0) this.guard(() => reclaim(this.#db, this.path, "put"));
    return report;
  }

  /**
   * Evict least recently used, unpinned artifacts until the cache fits `maxBytes` (`cas gc`),
   * then give the free space back to the disk and truncate the WAL. The stored total is
   * counted again from the rows first, correcting the kept one.
   */
  gc(maxBytes = this.maxBytes): EvictionReport & { reclaim: ReclaimReport } {
    const before = cacheFileBytes(this.path);
    const report = this.write(() => evict(this.#db, maxBytes, new Set(), true));
    return { ...report, reclaim: this.guard(() => reclaim(this.#db, this.path, "gc", before)) };
  }

  /** The artifact with this key, or undefined. */
  info(blake3: string): ArtifactInfo | undefined {
    return this.guard(() => getInfo(this.#db, blake3));
  }

  /**
   * Find the artifact a user named: hash, tagged hash, unique prefix or URI. Resolving a URI
   * records a use of it and of its artifact (to the hour, see USE_RESOLUTION_MS).
   */
  resolve(text: string): ArtifactInfo {
    const ref = parseRef(text);
    const blake3 = ref.kind === "uri"
      ? this.#resolveUri(ref.uri)
      : this.guard(() => findByHash(this.#db, ref, text));
    const info = this.info(blake3);
    if (!info) {
      throw new SqlinkError(
        "ENOTFOUND",
        `The artifact for "${text}" is no longer in the cas-cache`,
        {
          hint: "It was evicted or removed; put the file again with `sqlink cas put FILE`",
        },
      );
    }
    return info;
  }

  /**
   * The artifact `uri` points to. The use is recorded only when the recorded one is an hour
   * old (USE_RESOLUTION_MS), and skipped when another process is writing: a lookup must
   * not wait for a writer, and most lookups write nothing.
   */
  #resolveUri(uri: string): string {
    const now = Date.now();
    const target = this.guard(() => lookupUri(this.#db, uri));
    if (uriUseIsStale(target, now)) {
      this.writeIfFree(() => touchUri(this.#db, uri, target.blake3, now));
    }
    return target.blake3;
  }

  /** Record a use of an artifact now (to the hour; skipped while another process writes). */
  touch(blake3: string): void {
    const now = Date.now();
    const info = this.info(blake3);
    if (info && useIsStale(info.lastUsedAt, now)) {
      this.writeIfFree(() => touchArtifact(this.#db, blake3, now));
    }
  }

  /** The bytes of the artifact keyed by `blake3`, verified; unknown → ENOTFOUND. */
  readKey(blake3: string): Uint8Array {
    const bytes = this.readSnapshot(() => readByKey(this.#db, blake3));
    if (!bytes) {
      throw new SqlinkError("ENOTFOUND", `No artifact in the cas-cache has the key ${blake3}`, {
        hint: "List what the cache holds with `sqlink cas ls`",
      });
    }
    return bytes;
  }

  /** The artifact's bytes, re-hashed and verified. */
  read(info: ArtifactInfo): Uint8Array {
    return this.readSnapshot(() => readVerified(this.#db, info));
  }

  /**
   * Write the artifact to `path` atomically: a temporary sibling is filled and verified
   * piece by piece, then renamed into place; on any failure `path` is left untouched.
   */
  exportTo(info: ArtifactInfo, path: string, mode = 0o644, progress?: ByteProgress): void {
    let written = 0;
    const temp = newTempSibling(path);
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(temp, { write: true, createNew: true, mode });
    } catch (err) {
      throw fsError(err, "write to", path);
    }
    try {
      try {
        this.readSnapshot(() =>
          streamVerified(this.#db, info, (piece) => {
            try {
              writeAll(file, piece);
            } catch (err) {
              throw fsError(err, "write to", path);
            }
            progress?.("writing", written += piece.length, info.size);
          })
        );
        file.syncSync();
      } finally {
        file.close();
      }
      Deno.renameSync(temp, path);
    } catch (err) {
      removeQuietly(temp);
      throw fsError(err, "write to", path);
    }
  }

  /**
   * Send the artifact to `sink` (e.g. stdout) only after it verified: one pass hashes, a
   * second emits, both in one snapshot, so memory stays at one chunk.
   */
  emit(info: ArtifactInfo, sink: (piece: Uint8Array) => void): void {
    this.readSnapshot(() => {
      if (info.chunks === 0) {
        sink(readVerified(this.#db, info));
        return;
      }
      streamVerified(this.#db, info, () => {});
      streamVerified(this.#db, info, sink);
    });
  }

  /** Bind `uri` to the artifact `ref` names (rebinding it if it pointed elsewhere). */
  setUri(uri: string, ref: string): { blake3: string; previous?: string } {
    const info = this.resolve(ref);
    const previous = this.write(() => bindUri(this.#db, uri, info.blake3, Date.now()));
    return { blake3: info.blake3, previous };
  }

  /** Bind several URIs to one artifact in one transaction (a loaded extension's names). */
  bindUris(uris: string[], blake3: string): void {
    const now = Date.now();
    this.write(() => {
      for (const uri of uris) bindUri(this.#db, uri, blake3, now);
    });
  }

  /**
   * Remove an artifact nothing refers to (no URI, no bundle): a put undone because the file
   * turned out unusable. Returns true when it was removed.
   */
  discardUnused(blake3: string): boolean {
    return this.write(() => {
      const used = sql(
        this.#db,
        `SELECT EXISTS (SELECT 1 FROM __cas_uri WHERE blake3 = ?1)
             OR EXISTS (SELECT 1 FROM __cas_bundle_member WHERE content_hash = ?1) AS used`,
      ).get(blake3);
      if (Number(used?.used) !== 0) return false;
      deleteArtifact(this.#db, blake3);
      return true;
    });
  }

  /** Remove a URI binding; returns the artifact it pointed to. */
  removeUri(uri: string): string {
    return this.write(() => removeUri(this.#db, uri));
  }

  /** URI bindings, all or those of the artifact `ref` names. */
  uris(ref?: string): UriBinding[] {
    const blake3 = ref === undefined ? undefined : this.resolve(ref).blake3;
    return this.guard(() => listUris(this.#db, blake3));
  }

  /** One page of artifacts. */
  list(options: ListOptions = {}): ListedArtifact[] {
    return this.guard(() => listArtifacts(this.#db, options));
  }

  /** Counts and sizes. */
  stats(): CasStats {
    return this.readSnapshot(() =>
      casStats(this.#db, {
        path: this.path,
        schemaVersion: SCHEMA_VERSION,
        maxBytes: this.maxBytes,
      })
    );
  }

  /** Re-hash every artifact; with `repair`, remove the corrupt ones and dangling rows. */
  verify(
    options: { repair?: boolean; progress?: (done: number, total: number) => void } = {},
  ): VerifyReport {
    const found = this.guard(() => inspect(this.#db, options.progress));
    const damaged = found.corrupt.length + found.danglingUris.length + found.orphanChunks > 0;
    if (options.repair && damaged) {
      this.write(() => repair(this.#db, found));
    }
    return { ...found, repaired: Boolean(options.repair && damaged) };
  }

  /** Close the connection. */
  close(): void {
    this.#db.close();
  }
}

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) at += file.writeSync(bytes.subarray(at));
}
