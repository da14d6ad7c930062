/** `sqlink bundle save NAME MEMBER...`: save a set of extensions under a name. */
import { cacheEmbeddedBlobs, collectMembers } from "../../lib/bundle/members.ts";
import type { BuildOutcome } from "../../lib/bake/bake.ts";
import type { Launch } from "../../lib/bake/grant.ts";
import { type Bundle, saveBundle } from "../../lib/bundle/registry.ts";
import type { CasConnection } from "../../lib/cas/connection.ts";
import { openCas } from "../../lib/cas/service.ts";
import type { CasStore } from "../../lib/cas/store.ts";
import { SqlinkError } from "../../lib/errors.ts";
import type { ExtensionSet } from "../../lib/ext/loaded.ts";
import { cacheRoot } from "../../lib/paths.ts";
import type { CasArgs } from "../options.ts";
import { line, printJson } from "../output.ts";
import { bake, buildJson, reportBuild } from "../bake.ts";
import { cliLaunch } from "../cli.ts";
import { type RemoteArgs, remoteFlags, writeThrough } from "../remote/tier.ts";

interface SaveArgs extends CasArgs, RemoteArgs {
  name: string;
  members: string[];
  build: boolean;
}

/** Save the extensions of `set` (in load order) as bundle `name`; shared with `.bundle save`. */
export function saveSet(
  cas: CasConnection,
  name: string,
  set: ExtensionSet,
): { bundle: Bundle; created: boolean } {
  return saveBundle(
    cas,
    name,
    set.members.map((m) => ({
      extensionName: m.name,
      contentHash: m.blake3,
      entryPoint: m.entryPoint,
    })),
  );
}

/** What a save did: the bundle, and its build when the session may bake. */
export interface SaveOutcome {
  bundle: Bundle;
  created: boolean;
  build?: BuildOutcome;
}

/**
 * Save `set` as bundle `name`, then bake it when the session was granted spawn-build
 * (SPEC §6.3) unless `noBuild`; shared with `.bundle save`. A failed build keeps the
 * save and says so.
 */
export async function saveAndBake(
  cas: CasStore,
  name: string,
  set: ExtensionSet,
  launch: Launch,
  noBuild: boolean,
): Promise<SaveOutcome> {
  cacheEmbeddedBlobs(cas, set);
  const saved = saveSet(cas, name, set);
  if (noBuild || !launch.grants.has("spawn-build")) return saved;
  try {
    return { ...saved, build: await bake(cas, saved.bundle, launch) };
  } catch (err) {
    if (!(err instanceof SqlinkError)) throw err;
    throw new SqlinkError(
      err.code,
      `Saved bundle "${name}", but could not bake it: ${err.message}`,
      {
        hint: err.hint ?? `Bake it later with \`sqlink --grant spawn-build bundle build ${name}\``,
        details: { ...err.details, saved: saved.bundle.name, setHash: saved.bundle.setHash },
        cause: err,
      },
    );
  }
}

/** What a save says, in text or JSON; shared with `.bundle save`. */
export function reportSave(outcome: SaveOutcome, json: boolean): void {
  const { bundle, created, build } = outcome;
  if (json) {
    printJson({ ok: true, created, bundle, build: build ? buildJson(build) : null });
    return;
  }
  const names = bundle.members.map((m) => m.extensionName).join(", ");
  line(
    created
      ? `saved bundle "${bundle.name}": set ${bundle.setHash.slice(0, 12)} (${names})`
      : `bundle "${bundle.name}" already holds this set (${
        bundle.setHash.slice(0, 12)
      }); nothing changed`,
  );
  if (build) reportBuild(build);
}

/** Run the command with its parsed arguments. */
export async function save(argv: SaveArgs): Promise<void> {
  const flags = remoteFlags(argv);
  const cas = openCas({ cas: argv.cas });
  const set = collectMembers(cas, cacheRoot(), argv.members.map(String));
  const outcome = await saveAndBake(cas, String(argv.name), set, cliLaunch(), !argv.build);
  // Write-through: the members reach the team's remotes before the command ends.
  await writeThrough(cas, flags, outcome.bundle.members.map((m) => m.contentHash));
  reportSave(outcome, argv.json);
}
