/**
 * The page's cache worker: the cas-cache core (lib/cas, lib/bundle) on sqlite-wasm, one
 * module worker per tab. The page posts requests (protocol.ts); every answer is a value or
 * an error as the CLI would report it.
 */
import { SqlinkError } from "../errors.ts";
import type { CasStore } from "../cas/store.ts";
import { listBundles } from "../bundle/registry.ts";
import { checkLoadable } from "../ext/header.ts";
import { checkExtensionName, extensionName } from "../ext/name.ts";
import { installNodeBuiltins } from "./node_builtins.ts";
import { openCache, openStorage, type Storage } from "./cache.ts";
import { exportBundleBytes, importArchiveBytes } from "./archive.ts";
import type {
  Answer,
  CacheView,
  DropOutcome,
  DroppedFile,
  HostBuild,
  OpenInfo,
  Posted,
  WireError,
} from "./protocol.ts";

let storage: Storage | undefined;
let cas: CasStore | undefined;
let host: HostBuild = { os: "linux", arch: "x86_64" };

function opened(): { storage: Storage; cas: CasStore } {
  if (!storage || !cas) throw new SqlinkError("ECLOSED", "The cas-cache is not open");
  return { storage, cas };
}

let builtins: Promise<void> | undefined;

/** Open the cache; in a tab that let it go (release), take it back. */
async function open(build: HostBuild): Promise<OpenInfo> {
  host = build;
  builtins ??= installNodeBuiltins(new URL("zstd.wasm", import.meta.url).href);
  await builtins;
  if (cas) throw new SqlinkError("EOPEN", "The cas-cache is already open in this tab");
  if (storage) await storage.resume();
  else storage = await openStorage();
  cas = openCache(storage);
  return {
    persistent: storage.persistent,
    notice: storage.notice,
    sqliteVersion: storage.sqlite3.version.libVersion,
  };
}

/**
 * Let go of the cache for another tab: close it and release the pool's files. Requests run
 * one at a time, so whatever this tab was doing has finished.
 */
function release(): null {
  cas?.close();
  cas = undefined;
  storage?.pause();
  return null;
}

function view(): CacheView {
  const { cas } = opened();
  const stats = cas.stats();
  return {
    artifacts: cas.list({ sort: "used", desc: true }),
    uris: cas.uris(),
    bundles: listBundles(cas),
    storedBytes: stats.storedBytes,
    rawBytes: stats.rawBytes,
  };
}

/** SQLite's file header: a dropped file that starts with it is taken for a bundle archive. */
const SQLITE_MAGIC = "SQLite format 3\0";

function isSqlite(bytes: Uint8Array): boolean {
  return new TextDecoder().decode(bytes.subarray(0, 16)) === SQLITE_MAGIC;
}

/**
 * Import each file on its own: an extension is checked as `.load` checks it, an archive in
 * full (with `signingKey`, only one signed with it, as `cas import` with SQLINK_SIGNING_KEY).
 */
function drop(files: DroppedFile[], signingKey: string | undefined): DropOutcome[] {
  const { storage, cas } = opened();
  return files.map((file): DropOutcome => {
    try {
      if (isSqlite(file.bytes)) {
        const result = importArchiveBytes(
          cas,
          storage.sqlite3,
          file.name,
          file.bytes,
          signingKey,
        );
        return {
          name: file.name,
          kind: "archive",
          bundle: result.bundle.name,
          setHash: result.bundle.setHash,
          added: result.added,
          present: result.present,
          signature: result.signature,
        };
      }
      checkLoadable(file.name, file.bytes, host);
      const name = checkExtensionName(extensionName(file.name), `Cannot import "${file.name}"`);
      const uri = `extension:${name}`;
      const put = cas.put(file.bytes, { uri });
      return { name: file.name, kind: "extension", blake3: put.blake3, uri, created: put.created };
    } catch (err) {
      return { name: file.name, kind: "error", ...wire(err) };
    }
  });
}

function wire(err: unknown): WireError {
  if (err instanceof SqlinkError) return { code: err.code, message: err.message, hint: err.hint };
  return { code: "EINTERNAL", message: String((err as Error)?.message ?? err) };
}

async function handle(request: Posted): Promise<unknown> {
  switch (request.op) {
    case "open":
      return await open(request.host);
    case "view":
      return view();
    case "drop":
      return drop(request.files, request.signingKey || undefined);
    case "verify":
      return opened().cas.verify();
    case "release":
      return release();
    case "export": {
      const { storage, cas } = opened();
      const out = exportBundleBytes(
        cas,
        storage.sqlite3,
        request.bundle,
        request.signingKey || undefined,
      );
      return { ...out, fileName: `${out.bundle}.sqlink` };
    }
  }
}

async function answer(request: Posted): Promise<void> {
  let answer: Answer;
  try {
    answer = { id: request.id, ok: true, value: await handle(request) };
  } catch (err) {
    answer = { id: request.id, ok: false, error: wire(err) };
  }
  self.postMessage(answer);
}

// One request at a time, in order: a release waits for what was asked before it.
let queue: Promise<void> = Promise.resolve();
self.onmessage = (event: MessageEvent<Posted>) => {
  queue = queue.then(() => answer(event.data));
};
