/**
 * `sqlink compose --embed a,b,c [--target X] [-o PATH]`: bake extensions the cas-cache
 * knows by name into one sqlink executable (SPEC §7). The set is kept as a bundle, so
 * composing it again reuses the binary instead of building.
 */
import { join, resolve } from "node:path";
import { composeBundle, embedNames, resolveEmbed } from "../lib/bake/compose.ts";
import { checkTarget, programName } from "../lib/bake/targets.ts";
import { requireGrant } from "../lib/bake/grant.ts";
import { deleteBundle } from "../lib/bundle/registry.ts";
import { cacheRoot } from "../lib/paths.ts";
import type { BuildOutcome } from "../lib/bake/bake.ts";
import { openCas } from "../lib/cas/service.ts";
import { fsError } from "../lib/errors.ts";
import { newTempSibling, removeQuietly } from "../lib/fs.ts";
import { bake, buildJson, reportBuild } from "./bake.ts";
import type { CasArgs } from "./options.ts";
import { cliLaunch } from "./cli.ts";
import { line, printJson } from "./output.ts";

interface ComposeArgs extends CasArgs {
  embed: string[];
  target?: string;
  output?: string;
}

/** Copy the baked binary to `output` (a file, or a directory to put `sqlink` in), atomically. */
function writeOutput(outcome: BuildOutcome, output: string): string {
  let path = resolve(output);
  try {
    if (Deno.statSync(path).isDirectory) path = join(path, programName(outcome.target));
  } catch {
    // A new file.
  }
  const temp = newTempSibling(path);
  try {
    Deno.copyFileSync(outcome.path, temp);
    if (Deno.build.os !== "windows") Deno.chmodSync(temp, 0o755);
    Deno.renameSync(temp, path);
  } catch (err) {
    removeQuietly(temp);
    throw fsError(err, "write", path);
  }
  return path;
}

/** Run the command with its parsed arguments. */
export async function compose(argv: ComposeArgs): Promise<void> {
  // Refuse what can be refused before the set is saved: a failed compose records nothing.
  const launch = cliLaunch();
  requireGrant(launch, "spawn-build", "Composing a baked sqlink");
  if (argv.target !== undefined) checkTarget(argv.target);
  const cas = openCas({ cas: argv.cas });
  const members = resolveEmbed(cas, embedNames(argv.embed.map(String)));
  const { bundle, created } = composeBundle(cas, members);
  let outcome: BuildOutcome;
  try {
    outcome = await bake(cas, bundle, launch, argv.target);
  } catch (err) {
    if (created) deleteBundle(cas, bundle.name, cacheRoot());
    throw err;
  }
  const written = argv.output === undefined ? null : writeOutput(outcome, argv.output);
  if (argv.json) {
    printJson({ ok: true, created, build: buildJson(outcome), output: written });
    return;
  }
  if (created) line(`saved the set as bundle "${bundle.name}"`);
  reportBuild(outcome);
  if (written) line(`wrote ${written}`);
}
