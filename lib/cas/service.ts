/**
 * The one cas-cache a process uses, shared by every command (STYLE: one module-level
 * service). Configuration comes from flags first, then the environment, then defaults.
 */
import { SqlinkError } from "../errors.ts";
import { cacheRoot, casPath, checkCacheRoot } from "../paths.ts";
import { parseBytes } from "../size.ts";
import { parsePolicy } from "./codec.ts";
import { CasStore } from "./store.ts";

let shared: CasStore | undefined;

/** Options a command may pass: `--cas PATH` and a one-off cap. */
export interface ServiceOptions {
  cas?: string;
  maxBytes?: number;
}

/** The cap from `SQLINK_CAS_MAX_BYTES`, or undefined for the default. */
export function maxBytesFromEnv(): number | undefined {
  const value = Deno.env.get("SQLINK_CAS_MAX_BYTES");
  if (!value) return undefined;
  return parseBytes(
    value,
    "SQLINK_CAS_MAX_BYTES",
    "Set SQLINK_CAS_MAX_BYTES to a number of bytes, optionally with a unit (1048576, 512MiB, " +
      "1GiB), or unset it for the default of 1 GiB",
  );
}

/** The process's cas-cache, opened (and migrated) on first use. */
export function openCas(options: ServiceOptions = {}): CasStore {
  const path = casPath(options.cas);
  if (shared && shared.path === path) return shared;
  closeCas();
  checkRootIfAny();
  shared = CasStore.open({
    path,
    maxBytes: options.maxBytes ?? maxBytesFromEnv(),
    compress: parsePolicy(Deno.env.get("SQLINK_CAS_COMPRESS")),
  });
  // Commands end with Deno.exit: without a close, the last connection never checkpoints,
  // and a cache's WAL stays as large as everything written since (its next opener must
  // read all of it back).
  globalThis.addEventListener("unload", closeCas);
  return shared;
}

/**
 * Commands that open the cache go on to materialize, bake or remove files under the cache
 * root, so its folders are checked here too (the cache file's own folder is checked when it
 * opens). With `--cas` and no HOME there is no root, and nothing of it to check.
 */
function checkRootIfAny(): void {
  let root: string;
  try {
    root = cacheRoot();
  } catch (err) {
    if (err instanceof SqlinkError && err.code === "ENOHOME") return;
    throw err;
  }
  checkCacheRoot(root);
}

/** Close the shared cache, if open. */
export function closeCas(): void {
  globalThis.removeEventListener("unload", closeCas);
  const store = shared;
  shared = undefined;
  try {
    store?.close();
  } catch {
    // Closing checkpoints; a failure here leaves the WAL to the next opener, which is safe.
  }
}
