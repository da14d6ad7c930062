/** `sqlink bundle gc --keep N | --older-than AGE`: drop old bundles and their builds. */
import { gcBundles, parseAge } from "../../lib/bundle/registry.ts";
import { openCas } from "../../lib/cas/service.ts";
import { cacheRoot } from "../../lib/paths.ts";
import type { CasArgs } from "../options.ts";
import { countArg } from "../numeric.ts";
import { singleValue } from "../../lib/numbers.ts";
import { reportRemoved } from "./delete.ts";

interface GcArgs extends CasArgs {
  keep?: string;
  "older-than"?: string;
}

/** Run the command with its parsed arguments. */
export function gc(argv: GcArgs): void {
  const policy = {
    keep: countArg(argv.keep, "--keep"),
    olderThanMs: argv["older-than"] === undefined
      ? undefined
      : parseAge(singleValue(argv["older-than"], "--older-than"), "--older-than"),
  };
  reportRemoved(gcBundles(openCas({ cas: argv.cas }), policy, cacheRoot()), argv.json);
}
