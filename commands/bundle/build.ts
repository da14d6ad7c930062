/** `sqlink bundle build NAME [--target X]`: bake a bundle into one executable (SPEC §7). */
import { findBundle } from "../../lib/bundle/registry.ts";
import { openCas } from "../../lib/cas/service.ts";
import { bake, buildJson, reportBuild } from "../bake.ts";
import type { CasArgs } from "../options.ts";
import { cliLaunch } from "../cli.ts";
import { printJson } from "../output.ts";
import { requireGrant } from "../../lib/bake/grant.ts";
import { TARGETS } from "../../lib/bake/targets.ts";

function isTarget(target: string): boolean {
  return (TARGETS as readonly string[]).includes(target);
}

interface BuildArgs extends CasArgs {
  ref: string;
  target?: string;
}

/** Run the command with its parsed arguments. */
export async function build(argv: BuildArgs): Promise<void> {
  const cas = openCas({ cas: argv.cas });
  let bundle = findBundle(cas, String(argv.ref));
  const target = argv.target;
  if (target !== undefined && target !== Deno.build.target && isTarget(target)) {
    // Another platform's build: its variant from sqlink.lock, when the lock has the bundle.
    const [{ prepareVariant }, { LOCK_FILE }] = await Promise.all([
      import("../../lib/lock/variant.ts"),
      import("../../lib/lock/format.ts"),
    ]);
    requireGrant(cliLaunch(), "spawn-build", `Baking bundle "${bundle.name}"`);
    bundle = await prepareVariant(cas, LOCK_FILE, bundle.name, target) ?? bundle;
  }
  const outcome = await bake(cas, bundle, cliLaunch(), argv.target);
  if (argv.json) printJson({ ok: true, build: buildJson(outcome) });
  else reportBuild(outcome);
}
