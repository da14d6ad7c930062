/**
 * Baking as the commands run it (`bundle build`, `bundle save` with the grant, `compose`,
 * and their dot-command forms): the build with a progress line on a terminal, and what it
 * reports. A build takes a while (deno compile), so the line says which step it is in and
 * for how long; piped, nothing is drawn.
 */
import { buildBundle, type BuildOutcome, type BuildStep } from "../lib/bake/bake.ts";
import type { Launch } from "../lib/bake/grant.ts";
import type { Bundle } from "../lib/bundle/registry.ts";
import type { CasStore } from "../lib/cas/store.ts";
import { cacheRoot } from "../lib/paths.ts";
import { currentOutput, line } from "./output.ts";

const STEP_TEXT: Record<BuildStep, string> = {
  staging: "staging the source and member blobs",
  compiling: "compiling with deno compile",
  installing: "installing the binary",
};

/** Bake `bundle` for `target` (default: this machine), showing progress on a terminal. */
export async function bake(
  cas: CasStore,
  bundle: Bundle,
  launch: Launch,
  target?: string,
): Promise<BuildOutcome> {
  const streams = currentOutput();
  const live = streams.errIsTerminal();
  const label = `baking "${bundle.name}" for ${target ?? Deno.build.target}`;
  const started = Date.now();
  let step: BuildStep | undefined;
  const draw = () => {
    if (!step) return;
    const seconds = Math.floor((Date.now() - started) / 1000);
    streams.err(`\r${label}: ${STEP_TEXT[step]}… ${seconds}s\x1b[K`);
  };
  const timer = live ? setInterval(draw, 1000) : undefined;
  try {
    return await buildBundle(
      {
        cas,
        root: cacheRoot(),
        launch,
        onStep: (next) => {
          step = next;
          if (live) draw();
        },
      },
      bundle,
      target,
    );
  } finally {
    clearInterval(timer);
    if (live && step) streams.err("\r\x1b[K");
  }
}

/** What a build says: where the binary is, and whether it was reused. */
export function reportBuild(outcome: BuildOutcome): void {
  const { bundle, target, path, reused } = outcome;
  line(
    reused
      ? `bundle "${bundle.name}" is already baked for ${target}: reused ${path}`
      : `baked bundle "${bundle.name}" for ${target}: ${path}`,
  );
}

/** The JSON form of a build outcome. */
export function buildJson(outcome: BuildOutcome): Record<string, unknown> {
  const { bundle, target, path, digest, reused } = outcome;
  return { name: bundle.name, setHash: bundle.setHash, target, path, digest, reused };
}
