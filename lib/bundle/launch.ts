/**
 * Starting a shell with extensions (SPEC §5, §6.4): `--bundle REF` / `--bundle-load REF`
 * take the bundle's members from the cas-cache, `--load PATH` goes through the same
 * pipeline as `.load`; the session then loads the set into every connection it opens.
 *
 * A launch with a bundle is on the start-up path, so it touches only the registry's tables
 * and the verification stamps of materialized members; hashing, decompression and the
 * write path load only when a member must be (re)materialized or a file is `--load`ed.
 */
import { SqlinkError } from "../errors.ts";
import type { CasConnection } from "../cas/connection.ts";
import type { CasStore } from "../cas/store.ts";
import {
  checkFfiAllowed,
  type ExtensionHost,
  ExtensionSet,
  type LoadedExtension,
  loadInto,
  scratchConnection,
} from "../ext/loaded.ts";
import { materializedPath, memberFileName } from "../ext/location.ts";
import { stampMatches } from "../ext/stamp.ts";
import { checkExtensionName } from "../ext/name.ts";
import type { BinaryStatus } from "../bake/binary.ts";
import {
  type Bundle,
  findBundle,
  missingBlobsError,
  missingMembers,
  type NewMember,
  touchBundle,
} from "./registry.ts";

/** What the command line asked for. */
export interface LaunchRequest {
  bundle: { ref: string; mode: "auto" | "load" | "baked" } | null;
  loads: readonly string[];
}

/** Where a launch finds things: the registry, the full store on demand, the cache root. */
export interface LaunchContext {
  cas: CasConnection;
  /** The full cas-cache, for materializing and `--load` (loaded only when needed). */
  store: () => Promise<CasStore>;
  root: string;
  /**
   * Fetch members whose blobs the cache lacks from elsewhere (the remote tier, SPEC §10),
   * into the cache; without it, missing members are an error at once.
   */
  fetchMissing?: (bundle: Bundle, missing: NewMember[]) => Promise<void>;
  /**
   * Fetch `--load` names that are no file and not in the cache but known to the lock file
   * (`sqlink.lock`) into the cache first; without it, such a name is "no such file".
   */
  fetchNamed?: (names: readonly string[]) => Promise<void>;
}

/** The target triple of this machine, as Deno names it (`x86_64-unknown-linux-gnu`). */
export function hostTarget(): string {
  return Deno.build.target;
}

/**
 * Add a bundle's members to `set`, in load order, each materialized and verified: a copy
 * whose verification stamp still matches is used as is, anything else is written (again)
 * from the cache and hashed.
 */
export async function addBundle(
  context: LaunchContext,
  bundle: Bundle,
  set: ExtensionSet,
): Promise<void> {
  const { cas, root } = context;
  let missing = missingMembers(cas, bundle.members);
  if (missing.length > 0 && context.fetchMissing) {
    await context.fetchMissing(bundle, missing);
    missing = missingMembers(cas, bundle.members);
  }
  if (missing.length > 0) {
    throw missingBlobsError(`Cannot load bundle "${bundle.name}"`, missing);
  }
  const members: LoadedExtension[] = bundle.members.map((member) => ({
    // A registry written before names were checked may hold anything.
    name: checkExtensionName(member.extensionName, `Cannot load bundle "${bundle.name}"`),
    blake3: member.contentHash,
    path: materializedPath(root, member.contentHash, memberFileName(member.extensionName)),
    entryPoint: member.entryPoint,
    origin: `bundle:${bundle.name}`,
  }));
  const stale = members.filter((m) => !stampMatches(m.path, m.blake3));
  if (stale.length > 0) {
    const [{ materialize }, store] = await Promise.all([
      import("../ext/materialize.ts"),
      context.store(),
    ]);
    for (const m of stale) m.path = materialize(store, root, m.blake3, memberFileName(m.name));
  }
  for (const m of members) set.add(m);
  touchBundle(cas, bundle);
}

function notBuilt(bundle: Bundle, target: string): SqlinkError {
  return new SqlinkError(
    "ENOTBUILT",
    `Bundle "${bundle.name}" is not built for ${target}: it has no baked binary`,
    {
      hint:
        `Bake it with \`sqlink --grant spawn-build bundle build ${bundle.name}\` (\`.bundle build ${bundle.name}\` in a shell started with --grant spawn-build), or launch with --bundle-load ${bundle.name} to load its members instead`,
    },
  );
}

function changedBinary(bundle: Bundle, path: string): SqlinkError {
  return new SqlinkError(
    "ECHANGED",
    `The baked binary of bundle "${bundle.name}" is missing or changed since it was built: ${path}`,
    {
      hint:
        `Bake it again with \`sqlink --grant spawn-build bundle build ${bundle.name}\`, or launch with --bundle-load ${bundle.name} to load its members instead`,
    },
  );
}

/**
 * The bundle's baked binary for `target` and whether it is intact. The build machinery
 * (headers, stamps of binaries, targets) loads only for a bundle that records one: most
 * launches load members, and those imports cost them ~2 ms.
 */
async function bakedBinary(bundle: Bundle, target: string): Promise<BinaryStatus> {
  if (!bundle.binaries.some((b) => b.targetTriple === target)) return { state: "none" };
  return (await import("../bake/binary.ts")).bundleBinary(bundle, target);
}

/** How a launch goes on: run the bundle's baked binary, or load a set into the shell. */
export type LaunchPlan =
  | { kind: "baked"; binary: string; bundle: Bundle }
  | { kind: "load"; set: ExtensionSet; notice?: string };

/**
 * How to start: with `--bundle` (auto) or `--bundle-baked`, the bundle's recorded baked
 * binary for this machine when it is intact; otherwise the extension set to load: the
 * bundle's members, then each `--load` file (checked by loading it into a scratch
 * connection, so a bad file stops the launch before any database is touched), after
 * `initial` (a baked program's embedded set).
 */
export async function prepareLaunch(
  context: LaunchContext,
  request: LaunchRequest,
  initial: ExtensionSet = new ExtensionSet(),
): Promise<LaunchPlan> {
  const set = initial;
  let notice: string | undefined;
  if (request.bundle) {
    const bundle = findBundle(context.cas, request.bundle.ref);
    if (request.bundle.mode !== "load") {
      const target = hostTarget();
      const binary = await bakedBinary(bundle, target);
      if (binary.state === "intact") {
        touchBundle(context.cas, bundle);
        return { kind: "baked", binary: binary.path, bundle };
      }
      if (request.bundle.mode === "baked") {
        throw binary.state === "none"
          ? notBuilt(bundle, target)
          : changedBinary(bundle, binary.path);
      }
      if (binary.state === "changed") {
        notice = `${changedBinary(bundle, binary.path).message}; loading its members instead`;
      }
    }
    // Without FFI nothing can load: say so before the cache is touched.
    checkFfiAllowed(request.bundle.ref);
    await addBundle(context, bundle, set);
  }
  if (request.loads.length > 0) {
    checkFfiAllowed(request.loads[0]);
    const [{ loadFilesInto }, { cachedByName }, store] = await Promise.all([
      import("../ext/load.ts"),
      import("../ext/named.ts"),
      context.store(),
    ]);
    await context.fetchNamed?.(request.loads);
    loadFilesInto(store, context.root, set, request.loads, cachedByName(store));
  }
  return { kind: "load", set, notice };
}

/** What `.bundle load` did: the bundle, the members it loaded, those already loaded. */
export interface BundleLoad {
  bundle: Bundle;
  loaded: LoadedExtension[];
  alreadyLoaded: LoadedExtension[];
}

/**
 * Load bundle `ref`'s members into a running session (`.bundle load`), all or nothing: the
 * members are materialized and verified as at launch, checked against the session's set (a
 * different build of a loaded extension is refused), and loaded into a scratch connection
 * first, so a member that cannot load leaves `db` and `set` as they were. Then each new
 * member loads into `db` (when one is open) and joins `set`, which loads it into every
 * database opened later.
 */
export async function loadBundleInto(
  context: LaunchContext,
  ref: string,
  set: ExtensionSet,
  db: ExtensionHost | null,
): Promise<BundleLoad> {
  checkFfiAllowed(ref);
  const bundle = findBundle(context.cas, ref);
  const members = new ExtensionSet();
  await addBundle(context, bundle, members);
  const loaded: LoadedExtension[] = [];
  const alreadyLoaded: LoadedExtension[] = [];
  for (const m of members.members) {
    if (set.checkNew(m.name, m.blake3, `${m.name} (bundle:${bundle.name})`)) alreadyLoaded.push(m);
    else loaded.push(m);
  }
  const probe = scratchConnection(ref);
  try {
    for (const m of loaded) loadInto(probe, m, `${m.name} (bundle:${bundle.name})`);
  } finally {
    probe.close();
  }
  for (const m of loaded) {
    if (db) loadInto(db, m, `${m.name} (bundle:${bundle.name})`);
    set.add(m);
  }
  return { bundle, loaded, alreadyLoaded };
}
