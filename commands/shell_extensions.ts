/**
 * The shell's launch flags for extensions, `--load PATH` and `--bundle REF` (with
 * `--bundle-load` / `--bundle-baked`): resolved before any database opens, loaded only
 * when one of them is given, so a plain start never opens the cas-cache.
 */
import { prepareLaunch } from "../lib/bundle/launch.ts";
import { openCas } from "../lib/cas/service.ts";
import type { ExtensionSet } from "../lib/ext/loaded.ts";
import type { ShellArgs } from "../lib/shell/options.ts";
import { cacheRoot } from "../lib/paths.ts";

/** The extension set the command line asks for; throws SqlinkError (the shell reports it). */
export function startExtensions(args: ShellArgs): ExtensionSet {
  return prepareLaunch(openCas(), cacheRoot(), { bundle: args.bundle, loads: args.loads });
}
