/** `sqlink bundle save NAME MEMBER...`: save a set of extensions under a name. */
// @ts-types="@types/yargs"
import type { CommandModule } from "yargs";
import { collectMembers } from "../../lib/bundle/members.ts";
import { type Bundle, saveBundle } from "../../lib/bundle/registry.ts";
import type { CasConnection } from "../../lib/cas/connection.ts";
import { openCas } from "../../lib/cas/service.ts";
import type { ExtensionSet } from "../../lib/ext/loaded.ts";
import { cacheRoot } from "../../lib/paths.ts";
import type { CasArgs } from "../cas.ts";
import { line, printJson } from "../output.ts";

interface SaveArgs extends CasArgs {
  name: string;
  members: string[];
  "no-build": boolean;
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

/** What a save says, in text or JSON; shared with `.bundle save`. */
export function reportSave(outcome: { bundle: Bundle; created: boolean }, json: boolean): void {
  const { bundle, created } = outcome;
  if (json) {
    printJson({ ok: true, created, bundle });
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
}

/** The save subcommand. */
export const saveCommand: CommandModule<CasArgs, SaveArgs> = {
  command: "save <name> <members..>",
  describe:
    "Save extensions as a bundle: each MEMBER a library file or an extension:<name> URI, in load order",
  builder: (y) =>
    y.positional("name", { type: "string", demandOption: true, describe: "The bundle's name" })
      .positional("members", { type: "string", array: true, demandOption: true })
      .option("no-build", {
        type: "boolean",
        default: false,
        describe: "Do not bake a binary (baking needs --grant spawn-build)",
      }) as never,
  handler: (argv) => {
    const cas = openCas({ cas: argv.cas });
    const set = collectMembers(cas, cacheRoot(), argv.members.map(String));
    reportSave(saveSet(cas, String(argv.name), set), argv.json);
  },
};
