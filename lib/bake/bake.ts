/**
 * Baking a bundle (SPEC §7): reuse an intact binary of the same set for the same target
 * when there is one (no process is spawned: the reason bundles exist); otherwise check the
 * grant and Deno's permission to run `deno`, stage the build with the verified member
 * blobs, `deno compile` it to a temporary name, install it with a rename, and only then
 * record it. A failure at any step leaves no partial file and records nothing.
 */
import { join } from "node:path";
import { SqlinkError } from "../errors.ts";
import { sweepStaleTemps, type TempName } from "../fs.ts";
import type { CasStore } from "../cas/store.ts";
import { checkLoadable } from "../ext/header.ts";
import { type Bundle, missingBlobsError, missingMembers } from "../bundle/registry.ts";
import {
  binaryPath,
  discardBinary,
  ensureTargetDir,
  findBuilt,
  installBinary,
  recordBinary,
} from "./binary.ts";
import { setBuildDir } from "../paths.ts";
import { compile, discardOutput, findDeno } from "./compile.ts";
import { ensureRunPermission, type Launch, requireGrant } from "./grant.ts";
import { readSource, type SourceSnapshot } from "./source.ts";
import { embeddedFile, type EmbeddedManifest, stageBuild, type StagedBuild } from "./stage.ts";
import { checkTarget, type Target, targetBuild } from "./targets.ts";

/** The steps of a build, for progress reports. */
export type BuildStep = "staging" | "compiling" | "installing";

/** What a build works with. */
export interface BuildContext {
  cas: CasStore;
  root: string;
  /** How this process was started: its grants, and the command to relaunch with. */
  launch: Launch;
  /** sqlink's source (default: `readSource()`). */
  source?: () => SourceSnapshot;
  /** Told when a step starts. */
  onStep?: (step: BuildStep) => void;
}

/** What a build produced. */
export interface BuildOutcome {
  bundle: Bundle;
  target: Target;
  path: string;
  /** `sha256:<hex>` of the binary. */
  digest: string;
  /** True when an existing binary was reused and nothing was spawned. */
  reused: boolean;
}

/** Remove a directory tree; never throws. */
function removeTree(path: string): void {
  try {
    Deno.removeSync(path, { recursive: true });
  } catch {
    // Already gone, or nothing more we can do: the build is failing or done.
  }
}

/** The member blobs, read back verified, each checked to be a library `target` loads. */
function memberBlobs(
  cas: CasStore,
  bundle: Bundle,
  target: Target,
): Map<string, Uint8Array> {
  const missing = missingMembers(cas, bundle.members);
  if (missing.length > 0) {
    throw missingBlobsError(`Cannot bake bundle "${bundle.name}"`, missing);
  }
  const blobs = new Map<string, Uint8Array>();
  for (const member of bundle.members) {
    const bytes = cas.readKey(member.contentHash);
    try {
      checkLoadable(member.extensionName, bytes, targetBuild(target));
    } catch (err) {
      if (!(err instanceof SqlinkError)) throw err;
      throw new SqlinkError(
        err.code,
        `Cannot bake bundle "${bundle.name}" for ${target}: member ${
          err.message.replace(/^Cannot load "[^"]*": it is /, `${member.extensionName} is `)
            .replace("this machine needs", "that target needs")
        }`,
        {
          hint:
            `Save a bundle of ${target} builds of its extensions to bake for ${target}, or bake for the target its members are built for`,
          details: err.details,
        },
      );
    }
    blobs.set(member.contentHash, bytes);
  }
  return blobs;
}

/** The manifest a baked program of `bundle` embeds. */
export function manifestOf(bundle: Bundle, target: Target): EmbeddedManifest {
  return {
    bundle: bundle.name,
    setHash: bundle.setHash,
    target,
    members: bundle.members.map((m) => ({
      name: m.extensionName,
      blake3: m.contentHash,
      entryPoint: m.entryPoint,
      file: embeddedFile(m.extensionName, target),
    })),
  };
}

/**
 * Remove what killed builds of this set left (sweepStaleTemps): staging folders
 * (`.stage-PID-TAG`) and compile outputs (`.sqlink-PID-TAG.tmp…`, with the temporary file
 * `deno compile` writes beside its output). A failing build removes its own; a killed one
 * cannot, so the next build of the set does.
 */
function sweepKilledBuilds(root: string, setHash: string, targetDir: string): void {
  const named = (pattern: RegExp) => (name: string): TempName | undefined => {
    const match = pattern.exec(name);
    return match ? { pid: Number(match[2]), key: match[1] } : undefined;
  };
  sweepStaleTemps(setBuildDir(root, setHash), named(/^(\.stage-(\d+)-[0-9a-z]+)$/), {
    folders: true,
  });
  sweepStaleTemps(targetDir, named(/^(\.sqlink-(\d+)-[0-9a-z]+)\.tmp/));
}

function randomTag(): string {
  return `${Deno.pid}-${crypto.getRandomValues(new Uint32Array(1))[0].toString(36)}`;
}

/**
 * Stage `bundle` for `target` in a new directory under the set's build directory (the
 * caller removes it): a program that runs under `deno run` as the baked one would.
 */
export function stageBundle(
  context: Pick<BuildContext, "cas" | "root" | "source">,
  bundle: Bundle,
  target: Target,
  blobs: ReadonlyMap<string, Uint8Array> = memberBlobs(context.cas, bundle, target),
): StagedBuild {
  const source = (context.source ?? readSource)();
  const dir = join(setBuildDir(context.root, bundle.setHash), `.stage-${randomTag()}`);
  try {
    return stageBuild(dir, source, { manifest: manifestOf(bundle, target), blobs });
  } catch (err) {
    removeTree(dir);
    throw err;
  }
}

/** Bake `bundle` for `target` (default: this machine), or reuse the binary already baked. */
export async function buildBundle(
  context: BuildContext,
  bundle: Bundle,
  targetName: string = Deno.build.target,
): Promise<BuildOutcome> {
  const { cas, root, launch } = context;
  requireGrant(launch, "spawn-build", `Baking bundle "${bundle.name}"`);
  const target = checkTarget(targetName);
  const built = findBuilt(cas, bundle, target, root);
  if (built) {
    const own = bundle.binaries.find((b) => b.targetTriple === target);
    if (own?.binaryPath !== built.path) recordBinary(cas, bundle, target, built.path);
    return { bundle, target, path: built.path, digest: built.digest, reused: true };
  }
  // Everything that can be refused without spawning is refused first.
  const blobs = memberBlobs(cas, bundle, target);
  const deno = findDeno();
  ensureRunPermission(deno, launch, "deno");

  context.onStep?.("staging");
  const dir = ensureTargetDir(root, bundle.setHash, target);
  sweepKilledBuilds(root, bundle.setHash, dir);
  const final = binaryPath(root, bundle.setHash, target);
  const temp = join(dir, `.sqlink-${randomTag()}.tmp${target.includes("windows") ? ".exe" : ""}`);
  let staged: StagedBuild | undefined;
  let installed = false;
  try {
    staged = stageBundle(context, bundle, target, blobs);
    context.onStep?.("compiling");
    await compile({
      deno,
      stageDir: staged.dir,
      entry: staged.entry,
      includes: staged.includes,
      target,
      output: temp,
    });
    context.onStep?.("installing");
    const digest = `sha256:${installBinary(temp, final, target)}`;
    try {
      recordBinary(cas, bundle, target, final);
    } catch (err) {
      discardBinary(final);
      throw err;
    }
    installed = true;
    return { bundle, target, path: final, digest, reused: false };
  } finally {
    if (staged) removeTree(staged.dir);
    discardOutput(temp);
    // A failed first build leaves no empty directories behind either.
    if (!installed) removeEmpty(dir, setBuildDir(root, bundle.setHash), join(root, "builds"));
  }
}

function removeEmpty(...dirs: string[]): void {
  for (const dir of dirs) {
    try {
      Deno.removeSync(dir);
    } catch {
      return; // not empty (another build's files), or gone
    }
  }
}
