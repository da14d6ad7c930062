/**
 * The remote tier (SPEC §10): remotes behind the local cas-cache, asked in order. Downloads
 * are checked against SHA-256 (the key) and BLAKE3 before they enter the local cache, and
 * a mismatch is quarantined, never loaded. A remote that is down, slow, failing or lying
 * gets one warning and is not asked again by this process; local work goes on.
 *
 * Library code: it prints nothing; warnings go to the `warn` callback the command hands in.
 */
import { dirname, join } from "node:path";
import { SqlinkError } from "../errors.ts";
import { ensurePrivateDir, newTempSibling, removeQuietly } from "../fs.ts";
import type { CasStore } from "../cas/store.ts";
import { digestBytes, StreamDigest } from "../cas/hash.ts";
import { type Backend, blobKey, type Download, refKey } from "./backend.ts";
import { RemoteFault } from "./fault.ts";
import { HttpBackend, TOKEN_ENV } from "./http.ts";
import { inPool, PARALLEL_TRANSFERS } from "./pool.ts";
import { displayUrl, label, type RemoteSpec, statsKey } from "./spec.ts";
import { type Counters, type QuarantineRecord, saveCounters, zeroCounters } from "./stats.ts";
import type { Body } from "./transport.ts";

/** Blobs up to this size are received in memory and promoted in one transaction. */
const IN_MEMORY_BYTES = 4 << 20;

/** One remote as this process uses it. */
export interface Remote {
  spec: RemoteSpec;
  backend: Backend;
  /** How messages name it. */
  label: string;
  /** How results name it. */
  id: RemoteName;
  /** The key its counters are kept under. */
  statsKey: string;
  counters: Counters;
  /** Why it is not asked any more, once a fault put it aside. */
  disabled?: string;
}

/** A blob to fetch: its key, and what else is known of it (checked too). */
export interface Want {
  sha256: string;
  blake3?: string;
  size?: number;
  /** A URI to bind to it when it is promoted (e.g. `extension:vec0`). */
  uri?: string;
}

/** A remote as results name it: its config name (if any) and its URL, credentials masked. */
export interface RemoteName {
  name?: string;
  url: string;
}

/** What became of one wanted blob. */
export interface Fetched {
  want: Want;
  /** The remote that had it, or undefined when none did. */
  from?: RemoteName;
  blake3?: string;
  size?: number;
  /** False when the local cache already held the bytes. */
  added?: boolean;
}

/** A blob to push. */
export interface Have {
  blake3: string;
  sha256: string;
  size: number;
}

/** What a push did on one remote. */
export interface PushedTo extends RemoteName {
  uploaded: number;
  present: number;
  failed: number;
  bytes: number;
  /** Why the remote failed, if it did. */
  error?: string;
}

/** How a tier reports and how strict it is. */
export interface TierOptions {
  /** One warning (and its hint) about a remote; the command prints it. */
  warn: (message: string, hint?: string) => void;
  /**
   * True for the commands whose whole job is the remote (push, pull): refused credentials
   * are then an error that ends the command, not a warning.
   */
  strict?: boolean;
  /** Bytes moved, for a progress line. */
  onBytes?: (n: number) => void;
}

/** The hint for refused credentials. */
export const CREDENTIALS_HINT =
  `Check the remote's credentials: ${TOKEN_ENV} (a bearer token), user:password@ in the URL or a ~/.netrc entry for http(s); AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for s3`;

/** Open the backends of `specs` (the S3 one loads its signing library only when used). */
export async function openRemotes(specs: readonly RemoteSpec[]): Promise<Remote[]> {
  const remotes: Remote[] = [];
  for (const spec of specs) {
    const backend = spec.url.startsWith("s3:")
      ? new (await import("./s3.ts")).S3Backend(spec)
      : new HttpBackend(spec);
    remotes.push({
      spec,
      backend,
      label: label(spec),
      id: spec.name ? { name: spec.name, url: displayUrl(spec) } : { url: displayUrl(spec) },
      statsKey: statsKey(spec),
      counters: zeroCounters(),
    });
  }
  return remotes;
}

/** Remotes behind one cas-cache, for one command. */
export class RemoteTier {
  readonly remotes: Remote[];
  #options: TierOptions;
  #quarantined: QuarantineRecord[] = [];

  constructor(remotes: Remote[], options: TierOptions) {
    this.remotes = remotes;
    this.#options = options;
  }

  /** Remotes still asked, in order. */
  get readable(): Remote[] {
    return this.remotes.filter((r) => !r.disabled);
  }

  /** Remotes still written to: read-write and not put aside. */
  get writable(): Remote[] {
    return this.remotes.filter((r) => !r.disabled && !r.spec.readOnly);
  }

  /** True when any remote is configured at all. */
  get any(): boolean {
    return this.remotes.length > 0;
  }

  /**
   * Put `remote` aside after `err` (a RemoteFault; anything else is rethrown): one warning,
   * counted. With `strict`, refused credentials end the command instead.
   */
  #fault(remote: Remote, err: unknown): void {
    if (!(err instanceof RemoteFault)) throw err;
    remote.counters.errors++;
    remote.counters.lastError = err.message;
    if (remote.disabled) return;
    remote.disabled = err.message;
    if (err.kind === "auth") {
      const message = `Remote ${remote.label} refused sqlink's credentials: ${err.message}`;
      if (this.#options.strict) {
        throw new SqlinkError("EREMOTEAUTH", message, {
          hint: CREDENTIALS_HINT,
          details: { remote: remote.statsKey, status: err.status },
        });
      }
      this.#options.warn(`${message}; going on without it`, CREDENTIALS_HINT);
      return;
    }
    if (err.kind === "integrity") {
      this.#options.warn(`${err.message}; going on without remote ${remote.label}`);
      return;
    }
    this.#options.warn(
      `Remote ${remote.label} failed (${err.message}); going on without it for the rest of this command`,
    );
  }

  /**
   * Fetch `wants` from the remotes, in order, into `store`: each download is checked
   * against its SHA-256 key (and BLAKE3 and size when known) and only then put. Results are
   * in the order of `wants`; a blob no remote had has no `from`.
   */
  async fetch(store: CasStore, wants: readonly Want[]): Promise<Fetched[]> {
    const small: Array<{ index: number; bytes: Uint8Array; uri?: string }> = [];
    const results = await inPool(wants, PARALLEL_TRANSFERS, async (want, index) => {
      for (const remote of this.remotes) {
        if (remote.disabled) continue;
        try {
          const got = await this.#download(store, remote, want);
          if (!got) {
            remote.counters.misses++;
            continue;
          }
          remote.counters.hits++;
          remote.counters.bytesIn += got.size;
          if (got.bytes) {
            small.push({ index, bytes: got.bytes, uri: want.uri });
            return { want, from: remote.id, blake3: got.blake3, size: got.size };
          }
          try {
            const put = store.putFiles([got.file!], { uri: want.uri }).results[0];
            return {
              want,
              from: remote.id,
              blake3: put.blake3,
              size: put.size,
              added: put.created,
            };
          } finally {
            removeQuietly(got.file!);
          }
        } catch (err) {
          this.#fault(remote, err);
        }
      }
      return { want } as Fetched;
    }, { firstAlone: true });
    if (small.length > 0) {
      const put = store.putMany(small.map(({ bytes, uri }) => ({ bytes, uri })));
      small.forEach(({ index }, i) => results[index].added = put.results[i].created);
    }
    return results;
  }

  /** Receive one blob from `remote`, verified; undefined when the remote has none. */
  async #download(
    store: CasStore,
    remote: Remote,
    want: Want,
  ): Promise<{ bytes?: Uint8Array; file?: string; blake3: string; size: number } | undefined> {
    const key = blobKey(want.sha256);
    const download = await remote.backend.get(key);
    if (!download) return undefined;
    const url = remote.backend.display(key);
    const limit = want.size ?? download.size;
    if (want.size !== undefined && download.size !== undefined && download.size !== want.size) {
      await download.discard();
      throw new RemoteFault(
        "integrity",
        `Remote ${remote.label} announced ${download.size} bytes for ${url}, where the blob has ${want.size}`,
      );
    }
    const received = await this.#receive(store, download, limit, url);
    const found = received.digests;
    if (
      found.sha256 === want.sha256 && (want.blake3 === undefined || found.blake3 === want.blake3)
    ) {
      return {
        bytes: received.bytes,
        file: received.file,
        blake3: found.blake3,
        size: received.size,
      };
    }
    remote.counters.quarantined++;
    const kept = this.#quarantine(store, received, want.sha256);
    this.#quarantined.push({
      remote: remote.statsKey,
      url,
      expectedSha256: want.sha256,
      expectedBlake3: want.blake3,
      foundSha256: found.sha256,
      foundBlake3: found.blake3,
      size: received.size,
      file: kept,
    });
    throw new RemoteFault(
      "integrity",
      `Remote ${remote.label} sent bytes that do not match their key: ${url} hashes to sha256 ${found.sha256} and blake3 ${found.blake3} (${received.size} bytes), where sha256 ${want.sha256}${
        want.blake3 ? ` and blake3 ${want.blake3}` : ""
      } were expected; quarantined${kept ? ` in ${kept}` : ""}, never loaded`,
    );
  }

  /**
   * Read a download, hashing as it comes: in memory up to IN_MEMORY_BYTES, else into a
   * private temporary file beside the cas-cache. More than `limit` bytes is a fault.
   */
  async #receive(
    store: CasStore,
    download: Download,
    limit: number | undefined,
    url: string,
  ): Promise<
    { bytes?: Uint8Array; file?: string; size: number; digests: { sha256: string; blake3: string } }
  > {
    if (download.size !== undefined && download.size <= IN_MEMORY_BYTES) {
      // Announced small: read whole, hashed once.
      const bytes = await download.bytes();
      this.#options.onBytes?.(bytes.length);
      if (limit !== undefined && bytes.length !== limit) {
        throw new RemoteFault(
          "integrity",
          `${url} sent ${bytes.length} bytes where ${limit} were announced`,
        );
      }
      return { bytes, size: bytes.length, digests: digestBytes(bytes) };
    }
    // Small blobs are hashed once, whole; a big one from the moment it spills to a file.
    const body = download.stream();
    let digest: StreamDigest | undefined;
    const pieces: Uint8Array[] = [];
    let size = 0;
    let file: Deno.FsFile | undefined;
    let path: string | undefined;
    try {
      for await (const piece of body) {
        size += piece.length;
        if (limit !== undefined && size > limit) {
          throw new RemoteFault("integrity", `${url} sent more than the ${limit} bytes announced`);
        }
        this.#options.onBytes?.(piece.length);
        if (!file && size <= IN_MEMORY_BYTES) {
          pieces.push(piece);
          continue;
        }
        if (!file) {
          path = newTempSibling(join(dirname(store.path), "download"));
          file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
          digest = new StreamDigest();
          for (const held of pieces.splice(0)) {
            digest.update(held);
            await writeAll(file, held);
          }
        }
        digest!.update(piece);
        await writeAll(file, piece);
      }
      if (limit !== undefined && size < limit) {
        throw new RemoteFault("integrity", `${url} ended after ${size} of ${limit} bytes`);
      }
      file?.close();
      file = undefined;
    } catch (err) {
      await body.cancel().catch(() => {});
      file?.close();
      if (path) removeQuietly(path);
      throw err;
    }
    if (path) return { file: path, size, digests: digest!.digest() };
    const bytes = concat(pieces, size);
    return { bytes, size, digests: digestBytes(bytes) };
  }

  /** Keep mismatched bytes aside (never in the cas-cache); returns where, if kept. */
  #quarantine(
    store: CasStore,
    received: { bytes?: Uint8Array; file?: string; digests: { sha256: string } },
    expected: string,
  ): string | undefined {
    const dir = join(dirname(store.path), "quarantine");
    const target = join(dir, `${expected}.${received.digests.sha256}`);
    try {
      ensurePrivateDir(dir);
      if (received.file) Deno.renameSync(received.file, target);
      else Deno.writeFileSync(target, received.bytes!, { mode: 0o600 });
      return target;
    } catch {
      if (received.file) removeQuietly(received.file);
      return undefined;
    }
  }

  /**
   * Push `blobs` to every read-write remote: one HEAD per blob, then a PUT of the missing
   * ones (bounded pool), each checked by size afterwards so that a partial object never
   * stays visible. Bytes come from `store`, verified.
   */
  async push(store: CasStore, blobs: readonly Have[]): Promise<PushedTo[]> {
    const reports: PushedTo[] = [];
    for (const remote of this.writable) {
      const report = emptyReport(remote);
      reports.push(report);
      await inPool(blobs, PARALLEL_TRANSFERS, async (blob) => {
        if (remote.disabled) {
          report.failed++;
          return;
        }
        try {
          const uploaded = await this.#pushOne(store, remote, blob);
          if (uploaded) {
            report.uploaded++;
            report.bytes += blob.size;
          } else report.present++;
        } catch (err) {
          report.failed++;
          this.#fault(remote, err);
        }
      }, { firstAlone: true });
      if (remote.disabled) report.error = remote.disabled;
    }
    return reports;
  }

  /** Push one blob to one remote; false when it was there already. */
  async #pushOne(store: CasStore, remote: Remote, blob: Have): Promise<boolean> {
    const key = blobKey(blob.sha256);
    if (await remote.backend.head(key) === blob.size) return false;
    await this.#putChecked(remote, key, () => blobBody(store, blob), blob.size, blob.sha256);
    remote.counters.uploads++;
    remote.counters.bytesOut += blob.size;
    return true;
  }

  /**
   * PUT, then (for a streamed body) HEAD: an object of another size is removed again and is
   * a fault, so a partial object never stays visible.
   */
  async #putChecked(
    remote: Remote,
    key: string,
    body: () => { body: Body; release(): void },
    size: number,
    sha256?: string,
  ): Promise<void> {
    const made = body();
    try {
      const counted = this.#counting(made.body);
      await remote.backend.put(key, counted, sha256);
    } finally {
      made.release();
    }
    // Bytes sent from memory went whole with their Content-Length before the server said
    // 2xx; a streamed body (a file, possibly hundreds of MiB) is the one a broken
    // connection or a proxy can cut short, so its size is checked.
    if (made.body instanceof Uint8Array) return;
    const stored = await remote.backend.head(key);
    if (stored !== size) {
      await remote.backend.delete(key).catch(() => {});
      throw new RemoteFault(
        "integrity",
        `Remote ${remote.label} holds ${stored ?? "no"} bytes at ${
          remote.backend.display(key)
        } after a PUT of ${size}; the object was removed`,
      );
    }
  }

  #counting(body: Body): Body {
    const onBytes = this.#options.onBytes;
    if (!onBytes) return body;
    if (body instanceof Uint8Array) {
      onBytes(body.length);
      return body;
    }
    return {
      size: body.size,
      stream: () =>
        body.stream().pipeThrough(
          new TransformStream({
            transform(piece, controller) {
              onBytes(piece.length);
              controller.enqueue(piece);
            },
          }),
        ),
    };
  }

  /** Put small bytes (a manifest) whose SHA-256 is their key on every read-write remote. */
  async pushBytes(bytes: Uint8Array, sha256: string): Promise<PushedTo[]> {
    const reports: PushedTo[] = [];
    for (const remote of this.writable) {
      const report = emptyReport(remote);
      reports.push(report);
      try {
        const key = blobKey(sha256);
        if (await remote.backend.head(key) === bytes.length) {
          report.present++;
          continue;
        }
        await this.#putChecked(
          remote,
          key,
          () => ({ body: bytes, release() {} }),
          bytes.length,
          sha256,
        );
        remote.counters.uploads++;
        remote.counters.bytesOut += bytes.length;
        report.uploaded++;
        report.bytes += bytes.length;
      } catch (err) {
        report.failed++;
        this.#fault(remote, err);
        report.error = remote.disabled;
      }
    }
    return reports;
  }

  /**
   * Small bytes (a manifest) by SHA-256 from the first remote that has them, verified, not
   * put in the cache; undefined when none has them.
   */
  async fetchBytes(
    sha256: string,
    maxBytes: number,
  ): Promise<{ bytes: Uint8Array; from: RemoteName } | undefined> {
    for (const remote of this.remotes) {
      if (remote.disabled) continue;
      const key = blobKey(sha256);
      try {
        const download = await remote.backend.get(key);
        if (!download) {
          remote.counters.misses++;
          continue;
        }
        const url = remote.backend.display(key);
        const bytes = await readSmall(download, maxBytes, url);
        const found = digestBytes(bytes);
        if (found.sha256 !== sha256) {
          remote.counters.quarantined++;
          this.#quarantined.push({
            remote: remote.statsKey,
            url,
            expectedSha256: sha256,
            foundSha256: found.sha256,
            foundBlake3: found.blake3,
            size: bytes.length,
          });
          throw new RemoteFault(
            "integrity",
            `Remote ${remote.label} sent bytes that do not match their key: ${url} hashes to sha256 ${found.sha256} and blake3 ${found.blake3}, where sha256 ${sha256} was expected; not used`,
          );
        }
        remote.counters.hits++;
        remote.counters.bytesIn += bytes.length;
        return { bytes, from: remote.id };
      } catch (err) {
        this.#fault(remote, err);
      }
    }
    return undefined;
  }

  /** The manifest SHA-256 `refs/bundles/NAME` names on the first remote that has it. */
  async getRef(name: string): Promise<{ sha256: string; from: RemoteName } | undefined> {
    for (const remote of this.remotes) {
      if (remote.disabled) continue;
      const key = refKey(name);
      try {
        const download = await remote.backend.get(key);
        if (!download) continue;
        const text = new TextDecoder().decode(
          await readSmall(download, 1024, remote.backend.display(key)),
        ).trim();
        if (!/^[0-9a-f]{64}$/.test(text)) {
          throw new RemoteFault(
            "integrity",
            `Remote ${remote.label} holds a bundle pointer at ${
              remote.backend.display(key)
            } that is not a SHA-256`,
          );
        }
        return { sha256: text, from: remote.id };
      } catch (err) {
        this.#fault(remote, err);
      }
    }
    return undefined;
  }

  /** Point `refs/bundles/NAME` at a manifest on every read-write remote. */
  async putRef(name: string, sha256: string): Promise<PushedTo[]> {
    const bytes = new TextEncoder().encode(sha256 + "\n");
    const reports: PushedTo[] = [];
    for (const remote of this.writable) {
      const report = emptyReport(remote);
      reports.push(report);
      try {
        await this.#putChecked(
          remote,
          refKey(name),
          () => ({ body: bytes, release() {} }),
          bytes.length,
        );
        report.uploaded++;
      } catch (err) {
        report.failed++;
        this.#fault(remote, err);
        report.error = remote.disabled;
      }
    }
    return reports;
  }

  /** Add this process's counters (and quarantine records) to the cas-cache's. */
  saveStats(store: CasStore): void {
    saveCounters(
      store,
      this.remotes.map((r) => ({ remote: r.statsKey, counters: r.counters })),
      this.#quarantined,
    );
    for (const r of this.remotes) r.counters = zeroCounters();
    this.#quarantined = [];
  }
}

/** A blob's bytes as a PUT body: in memory when small, else a verified temporary copy. */
function blobBody(store: CasStore, blob: Have): { body: Body; release(): void } {
  if (blob.size <= IN_MEMORY_BYTES) {
    return { body: store.readKey(blob.blake3), release() {} };
  }
  const info = store.info(blob.blake3);
  if (!info) {
    throw new SqlinkError("ENOTFOUND", `No artifact in the cas-cache has the key ${blob.blake3}`, {
      hint: "List what the cache holds with `sqlink cas ls`",
    });
  }
  const temp = newTempSibling(join(dirname(store.path), "upload"));
  store.exportTo(info, temp, 0o600);
  return {
    body: {
      size: blob.size,
      stream: () => {
        const file = Deno.openSync(temp, { read: true });
        return file.readable;
      },
    },
    release: () => removeQuietly(temp),
  };
}

async function readSmall(download: Download, maxBytes: number, url: string): Promise<Uint8Array> {
  if (download.size !== undefined && download.size > maxBytes) {
    await download.discard();
    throw new RemoteFault("integrity", `${url} is larger than ${maxBytes} bytes`);
  }
  const body = download.stream();
  const pieces: Uint8Array[] = [];
  let size = 0;
  for await (const piece of body) {
    size += piece.length;
    if (size > maxBytes) {
      await body.cancel().catch(() => {});
      throw new RemoteFault("integrity", `${url} is larger than ${maxBytes} bytes`);
    }
    pieces.push(piece);
  }
  return concat(pieces, size);
}

function concat(pieces: Uint8Array[], size: number): Uint8Array {
  if (pieces.length === 1) return pieces[0];
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) {
    bytes.set(piece, at);
    at += piece.length;
  }
  return bytes;
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await file.write(bytes.subarray(at));
}

/** A push report for `remote` with nothing counted yet. */
function emptyReport(
  remote: { id: Omit<PushedTo, "uploaded" | "present" | "failed" | "bytes"> },
): PushedTo {
  return { ...remote.id, uploaded: 0, present: 0, failed: 0, bytes: 0 };
}
