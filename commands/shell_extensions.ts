/**
 * The shell's launch flags for extensions, `--load PATH` and `--bundle REF` (with
 * `--bundle-load` / `--bundle-baked`): resolved before any database opens, and loaded only
 * when one of them is given, so a plain start never opens the cas-cache.
 */
import { prepareLaunch } from "../lib/bundle/launch.ts";
import { openCasConnection } from "../lib/cas/connection.ts";
import type { ExtensionSet } from "../lib/ext/loaded.ts";
import type { ShellArgs } from "../lib/shell/options.ts";
import { cacheRoot, casPath } from "../lib/paths.ts";

/** The extension set the command line asks for; throws SqlinkError (the shell reports it). */
export async function startExtensions(args: ShellArgs): Promise<ExtensionSet> {
  const cas = openCasConnection(casPath());
  try {
    return await prepareLaunch({
      cas,
      root: cacheRoot(),
      store: async () => (await import("../lib/cas/service.ts")).openCas(),
    }, { bundle: args.bundle, loads: args.loads });
  } finally {
    cas.close();
  }
}
