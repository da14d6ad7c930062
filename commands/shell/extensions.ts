/**
 * The shell's launch with extensions: a baked program's embedded set, `--load PATH` and
 * `--bundle REF` (with `--bundle-load` / `--bundle-baked`), resolved before any database
 * opens, and loaded only when one of them is given, so a plain start never opens the
 * cas-cache. A bundle with an intact baked binary for this machine runs that binary.
 */
import type { EmbeddedBundle } from "../../lib/bake/embedded.ts";
import { type LaunchPlan, prepareLaunch } from "../../lib/bundle/launch.ts";
import { openCasConnection } from "../../lib/cas/connection.ts";
import { SqlinkError } from "../../lib/errors.ts";
import { ExtensionSet } from "../../lib/ext/loaded.ts";
import type { ShellArgs } from "../../lib/shell/options.ts";
import { cacheRoot, casPath, checkCacheRoot } from "../../lib/paths.ts";

/** How the shell starts; throws SqlinkError (the shell reports it). */
export async function startExtensions(
  args: ShellArgs,
  embedded?: EmbeddedBundle,
): Promise<LaunchPlan> {
  const root = cacheRoot();
  // Even a baked program checks: it materializes its extensions under the root and loads them.
  if (embedded || args.loads.length > 0 || args.bundle !== null) checkCacheRoot(root);
  const initial = embedded
    ? await (await import("../../lib/bake/embedded.ts")).loadEmbedded(embedded, root)
    : new ExtensionSet();
  if (args.loads.length === 0 && args.bundle === null) return { kind: "load", set: initial };
  const cas = openCasConnection(casPath());
  try {
    return await prepareLaunch(
      {
        cas,
        root,
        store: async () => (await import("../../lib/cas/service.ts")).openCas(),
        // `--load NAME` of a name only sqlink.lock knows: fetched into the cache first.
        fetchNamed: async (names) => (await import("./ext.ts")).fetchNamed(names),
        // Read-through: members this cache lacks come from the remotes, when any are set.
        fetchMissing: async (bundle, missing) => {
          const [{ fetchMembers }, { openCas }] = await Promise.all([
            import("../remote/tier.ts"),
            import("../../lib/cas/service.ts"),
          ]);
          await fetchMembers(openCas(), args.remotes, bundle, missing);
        },
      },
      { bundle: args.bundle, loads: args.loads },
      initial,
    );
  } finally {
    cas.close();
  }
}

/**
 * Run a bundle's baked binary with `args` (the command line without the bundle options),
 * sharing this process's standard streams; returns its exit status. Ctrl-C reaches both
 * processes: this one waits for the binary to decide what it means.
 */
export async function runBakedBinary(binary: string, args: string[]): Promise<number> {
  const wait = () => {};
  Deno.addSignalListener("SIGINT", wait);
  try {
    const child = new Deno.Command(binary, {
      args,
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    return (await child.status).code;
  } catch (err) {
    if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
      throw new SqlinkError(
        "ENORUN",
        `Cannot run the baked binary "${binary}": Deno does not allow this process to run it`,
        { hint: "Grant Deno's --allow-run permission (or -A), or launch with --bundle-load NAME" },
      );
    }
    throw new SqlinkError(
      "ESPAWN",
      `Cannot run the baked binary "${binary}": ${(err as Error).message}`,
      { hint: "Bake the bundle again, or launch with --bundle-load NAME", cause: err },
    );
  } finally {
    Deno.removeSignalListener("SIGINT", wait);
  }
}
