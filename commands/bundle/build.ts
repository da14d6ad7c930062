/** `sqlink bundle build NAME [--target X]`: bake a bundle into one executable (SPEC §7). */
import { findBundle } from "../../lib/bundle/registry.ts";
import { openCas } from "../../lib/cas/service.ts";
import { bake, buildJson, reportBuild } from "../bake.ts";
import type { CasArgs } from "../options.ts";
import { cliLaunch } from "../cli.ts";
import { printJson } from "../output.ts";

interface BuildArgs extends CasArgs {
  ref: string;
  target?: string;
}

/** Run the command with its parsed arguments. */
export async function build(argv: BuildArgs): Promise<void> {
  const cas = openCas({ cas: argv.cas });
  const outcome = await bake(cas, findBundle(cas, String(argv.ref)), cliLaunch(), argv.target);
  if (argv.json) printJson({ ok: true, build: buildJson(outcome) });
  else reportBuild(outcome);
}
