/** `sqlink bundle build NAME [--target X]`: bake a bundle into one executable (SPEC §7). */
// @ts-types="@types/yargs"
import type { CommandModule } from "yargs";
import { findBundle } from "../../lib/bundle/registry.ts";
import { openCas } from "../../lib/cas/service.ts";
import { bake, buildJson, reportBuild } from "../bake.ts";
import type { CasArgs } from "../cas.ts";
import { cliLaunch } from "../cli.ts";
import { printJson } from "../output.ts";

interface BuildArgs extends CasArgs {
  ref: string;
  target?: string;
}

/** The build subcommand. */
export const buildCommand: CommandModule<CasArgs, BuildArgs> = {
  command: "build <ref>",
  describe:
    "Bake a bundle into one sqlink executable, or reuse the one already baked (needs --grant spawn-build)",
  builder: (y) =>
    y.positional("ref", {
      type: "string",
      demandOption: true,
      describe: "Bundle name or set hash prefix",
    })
      .option("target", {
        type: "string",
        requiresArg: true,
        describe: "Target triple (default: this machine's)",
      }) as never,
  handler: async (argv) => {
    const cas = openCas({ cas: argv.cas });
    const outcome = await bake(cas, findBundle(cas, String(argv.ref)), cliLaunch(), argv.target);
    if (argv.json) printJson({ ok: true, build: buildJson(outcome) });
    else reportBuild(outcome);
  },
};
