/**
 * Messages between the page and its cache worker: a request names an operation, the answer
 * carries its value or the SqlinkError it threw (code, message, hint), as the CLI prints it.
 */
import type { ListedArtifact } from "../cas/catalog.ts";
import type { UriBinding } from "../cas/uris.ts";
import type { Bundle } from "../bundle/registry.ts";
import type { VerifyReport } from "../cas/verify.ts";

/** What the worker knows about where the cache lives. */
export interface OpenInfo {
  persistent: boolean;
  notice?: string;
  sqliteVersion: string;
}

/** Everything the page shows. */
export interface CacheView {
  artifacts: ListedArtifact[];
  uris: UriBinding[];
  bundles: Bundle[];
  storedBytes: number;
  rawBytes: number;
}

/** A file the person dropped: its name and bytes. */
export interface DroppedFile {
  name: string;
  bytes: Uint8Array;
}

/** What happened to one dropped file. */
export type DropOutcome =
  | { name: string; kind: "extension"; blake3: string; uri: string; created: boolean }
  | {
    name: string;
    kind: "archive";
    bundle: string;
    setHash: string;
    added: number;
    present: number;
    signature: string;
  }
  | { name: string; kind: "error"; code: string; message: string; hint?: string };

/** The machine whose loader the dropped extensions are checked for (the server's). */
export interface HostBuild {
  os: string;
  arch: string;
}

/** Requests, by operation. */
export type Request =
  | { op: "open"; host: HostBuild }
  | { op: "view" }
  | { op: "drop"; files: DroppedFile[]; signingKey?: string }
  | { op: "verify" }
  | { op: "export"; bundle: string; signingKey?: string }
  | { op: "release" };

/** An error as the worker reports it. */
export interface WireError {
  code: string;
  message: string;
  hint?: string;
}

/** A request with its number, as posted. */
export type Posted = Request & { id: number };

/** An answer to request `id`. */
export type Answer =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: WireError };

/** The values, by operation. */
export interface Values {
  open: OpenInfo;
  view: CacheView;
  drop: DropOutcome[];
  verify: VerifyReport;
  release: null;
  export: { bytes: Uint8Array; bundle: string; setHash: string; fileName: string; signed: boolean };
}
