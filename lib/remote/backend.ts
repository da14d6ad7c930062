/**
 * What the tier asks of a storage backend (SPEC §10): objects under keys such as
 * `cas/<sha256>` and `refs/bundles/NAME`. HTTP (bazel-remote, nginx WebDAV) and S3 both
 * implement it; errors are RemoteFaults.
 */
import type { Body } from "./transport.ts";

/** An object being downloaded: read it either as a stream or whole (small objects). */
export interface Download {
  /** The size the remote announced, when it did. */
  size?: number;
  /** The body as a stream (call once). */
  stream(): ReadableStream<Uint8Array>;
  /** The whole body (call once, instead of `stream`). */
  bytes(): Promise<Uint8Array>;
  /** Drop the body unread. */
  discard(): Promise<void>;
}

/** One remote store. */
export interface Backend {
  /** The object's size, or undefined when there is no such object. */
  head(key: string): Promise<number | undefined>;
  /** The object, or undefined when there is no such object. */
  get(key: string): Promise<Download | undefined>;
  /**
   * Store `body` (of `size` bytes) under `key`. `sha256` is the hex SHA-256 of the body when
   * the caller knows it (a blob: it is the key), so a backend that can have the server
   * check it (S3's signed payload hash) does.
   */
  put(key: string, body: Body, sha256?: string): Promise<void>;
  /** Remove an object (a partial one a failed upload left visible); missing is fine. */
  delete(key: string): Promise<void>;
  /** The URL of `key` as it may be printed (credentials masked). */
  display(key: string): string;
}

/** The remote key of a blob. */
export function blobKey(sha256: string): string {
  return `cas/${sha256}`;
}

/** The remote key of a bundle name's pointer to its manifest. */
export function refKey(name: string): string {
  return `refs/bundles/${name}`;
}
