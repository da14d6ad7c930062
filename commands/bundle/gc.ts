/** `sqlink bundle gc --keep N | --older-than AGE`: drop old bundles and their builds. */
// @ts-types="@types/yargs"
import type { CommandModule } from "yargs";
import { gcBundles } from "../../lib/bundle/registry.ts";
import { openCas } from "../../lib/cas/service.ts";
import { cacheRoot } from "../../lib/paths.ts";
import type { CasArgs } from "../cas.ts";
import { ageArg, countArg, numericOption } from "../numeric.ts";
import { reportRemoved } from "./delete.ts";

interface GcArgs extends CasArgs {
  keep?: string;
  "older-than"?: string;
}

/** The gc subcommand. */
export const gcCommand: CommandModule<CasArgs, GcArgs> = {
  command: "gc",
  describe: "Drop bundles beyond the N most recently used, or unused for longer than AGE",
  builder: (y) =>
    y.option("keep", numericOption("Keep the N most recently used bundles"))
      .option(
        "older-than",
        numericOption("Drop bundles unused for longer than AGE (45s, 90m, 12h, 30d, 2w)"),
      ) as never,
  handler: (argv) => {
    const policy = {
      keep: countArg(argv.keep, "--keep"),
      olderThanMs: ageArg(argv["older-than"], "--older-than"),
    };
    reportRemoved(gcBundles(openCas({ cas: argv.cas }), policy, cacheRoot()), argv.json);
  },
};
