/** `sqlink bundle gc --keep N | --older-than AGE`: drop old bundles and their builds. */
// @ts-types="@types/yargs"
import type { CommandModule } from "yargs";
import { gcBundles, parseAge, parseKeep } from "../../lib/bundle/registry.ts";
import { openCas } from "../../lib/cas/service.ts";
import { cacheRoot } from "../../lib/paths.ts";
import type { CasArgs } from "../cas.ts";
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
    y.option("keep", {
      type: "string",
      requiresArg: true,
      describe: "Keep the N most recently used bundles",
    }).option("older-than", {
      type: "string",
      requiresArg: true,
      describe: "Drop bundles unused for longer than AGE (45s, 90m, 12h, 30d, 2w)",
    }) as never,
  handler: (argv) => {
    const policy = {
      keep: argv.keep === undefined ? undefined : parseKeep(argv.keep),
      olderThanMs: argv["older-than"] === undefined ? undefined : parseAge(argv["older-than"]),
    };
    reportRemoved(gcBundles(openCas({ cas: argv.cas }), policy, cacheRoot()), argv.json);
  },
};
