/**
 * Release builds: sqlink compiled by `deno compile` for each of Deno's five targets
 * (`dist/sqlink-<target>[.exe]`), and a `SHA256SUMS` file in `sha256sum` format beside them.
 *
 * A release is all or nothing. Every target is compiled to a temporary name first and the
 * binaries are moved into place only when all of them compiled, so a failing compile (the
 * usual failure: no network for Deno's runtime download) leaves the output directory as it
 * was, including an earlier release in it. SHA256SUMS is written last, atomically.
 *
 * Each build embeds sqlink's source snapshot (lib/bake/source.ts): a released sqlink has
 * no source tree on disk and needs it to bake bundles. It also embeds the browser page of
 * `sqlink web`, built once per release (lib/web/build.ts: the bundled JavaScript and the
 * wasm files), since a compiled sqlink cannot run `deno bundle` on its own source.
 *
 * @example
 * ```sh
 * deno task release                                   # all five targets into dist/
 * deno run -A scripts/release.ts --out /tmp/rel --target x86_64-unknown-linux-gnu
 * ```
 *
 * @example
 * ```ts
 * import { release } from "../scripts/release.ts";
 * const { files, sums } = await release({ out: "/tmp/rel", targets: [Deno.build.target] });
 * ```
 */
import { parseArgs } from "node:util";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import { fsError, UsageError } from "../lib/errors.ts";
import { newTempSibling, pathExists, removeQuietly } from "../lib/fs.ts";
import { installBinary } from "../lib/bake/binary.ts";
import { compile, discardOutput, findDeno } from "../lib/bake/compile.ts";
import { readSource, type SourceSnapshot } from "../lib/bake/source.ts";
import { stageBuild, type StagedBuild } from "../lib/bake/stage.ts";
import { buildPage, copyPage, PAGE_DIR } from "../lib/web/build.ts";
import { checkTarget, programName, type Target, TARGETS } from "../lib/bake/targets.ts";
import { line, note, reportError } from "../commands/output.ts";

/** The checksum file a release writes beside its binaries. */
export const SUMS_FILE = "SHA256SUMS";

/** The prefix of the staging directories a release makes in the OS temp directory. */
export const STAGE_PREFIX = "sqlink-release-";

/** What to release. */
export interface ReleaseOptions {
  /** The output directory (default `dist`), created when missing. */
  out?: string;
  /** The targets to build (default: all of TARGETS). */
  targets?: readonly string[];
  /** Told as each target's compile starts (1-based `index`). */
  onCompile?: (target: Target, index: number, total: number) => void;
}

/** One released binary. */
export interface ReleasedFile {
  target: Target;
  /** Its absolute path. */
  path: string;
  /** Its size in bytes. */
  size: number;
  /** Its SHA-256, hex. */
  sha256: string;
}

/** What a release wrote. */
export interface Release {
  files: ReleasedFile[];
  /** The absolute path of SHA256SUMS. */
  sums: string;
}

/** The name a release gives the binary for `target`: `sqlink-<target>[.exe]`. */
export function releaseName(target: Target): string {
  return programName(target, `sqlink-${target}`);
}

/** SHA256SUMS for `files`, as `sha256sum` writes it: `<hex>  <name>`, in name order. */
export function sumsText(files: readonly ReleasedFile[]): string {
  return files.map((f) => ({ name: basename(f.path), sha256: f.sha256 }))
    .sort((a, b) => a.name < b.name ? -1 : 1)
    .map((f) => `${f.sha256}  ${f.name}\n`).join("");
}

/**
 * Compile sqlink for every target into `out`, then write SHA256SUMS. On failure it throws
 * SqlinkError (UsageError for an unknown target) and leaves no file of this run behind.
 */
export async function release(options: ReleaseOptions = {}): Promise<Release> {
  // Refuse what can be refused before anything is written or spawned.
  const targets = [...new Set((options.targets ?? TARGETS).map(checkTarget))];
  const deno = findDeno();
  const source = readSource();
  // Absolute: deno compile runs in the staging directory and resolves --output there.
  const out = resolve(options.out ?? "dist");
  const madeOut = !pathExists(out);
  try {
    Deno.mkdirSync(out, { recursive: true });
  } catch (err) {
    throw fsError(err, "create the directory", out);
  }

  // Temporary names are per process, so two releases into one directory do not collide.
  const temps = targets.map((target) =>
    join(out, `.sqlink-${target}.${Deno.pid}.tmp${target.includes("windows") ? ".exe" : ""}`)
  );
  const installed: string[] = [];
  let released = false;
  let page: string | undefined;
  try {
    page = await makeStageDir();
    await buildPage(page);
    for (const [i, target] of targets.entries()) {
      options.onCompile?.(target, i + 1, targets.length);
      await compileTarget(deno, source, page, target, temps[i]);
    }
    const files: ReleasedFile[] = targets.map((target, i) => {
      const path = join(out, releaseName(target));
      const sha256 = installBinary(temps[i], path, target, { stamp: false });
      installed.push(path);
      return { target, path, size: Deno.statSync(path).size, sha256 };
    });
    const sums = join(out, SUMS_FILE);
    writeAtomically(sums, sumsText(files));
    released = true;
    return { files, sums };
  } catch (err) {
    for (const path of installed) removeQuietly(path);
    // An earlier release's SHA256SUMS would now describe binaries that are gone.
    if (installed.length > 0) removeQuietly(join(out, SUMS_FILE));
    throw err;
  } finally {
    if (page) await Deno.remove(page, { recursive: true }).catch(() => {});
    for (const temp of temps) discardOutput(temp);
    if (!released && madeOut) removeQuietly(out);
  }
}

/**
 * Stage sqlink in a fresh directory and compile it for `target` to `output`. Each target
 * gets its own staging directory so that nothing one compile leaves in its working
 * directory can reach the next.
 */
async function compileTarget(
  deno: string,
  source: SourceSnapshot,
  page: string,
  target: Target,
  output: string,
): Promise<void> {
  const dir = await makeStageDir();
  try {
    const staged = stageRelease(dir, source, page);
    await compile({
      deno,
      stageDir: dir,
      entry: staged.entry,
      includes: staged.includes,
      target,
      output,
    });
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function makeStageDir(): Promise<string> {
  try {
    return await Deno.makeTempDir({ prefix: STAGE_PREFIX });
  } catch (err) {
    throw fsError(err, "create a staging directory in", tmpdir());
  }
}

/**
 * Stage sqlink for a release in `dir` (new and empty): its source, and the built page
 * (`page`, from buildPage) at PAGE_DIR, embedded with it.
 */
export function stageRelease(dir: string, source: SourceSnapshot, page: string): StagedBuild {
  const staged = stageBuild(dir, source);
  copyPage(page, join(dir, PAGE_DIR));
  return { ...staged, includes: [...staged.includes, PAGE_DIR] };
}

function writeAtomically(path: string, text: string): void {
  const temp = newTempSibling(path);
  try {
    Deno.writeTextFileSync(temp, text);
    Deno.renameSync(temp, path);
  } catch (err) {
    removeQuietly(temp);
    throw fsError(err, "write", path);
  }
}

const USAGE = "Usage: deno run -A scripts/release.ts [--out DIR] [--target TARGET]...";

/** The options of the command line, or a UsageError. */
export function parseReleaseArgs(args: string[]): ReleaseOptions & { help: boolean } {
  try {
    const { values } = parseArgs({
      args,
      options: {
        out: { type: "string" },
        target: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
    });
    return { out: values.out, targets: values.target, help: values.help ?? false };
  } catch (err) {
    throw new UsageError((err as Error).message, { hint: USAGE });
  }
}

function megabytes(size: number): string {
  return `${(size / 1e6).toFixed(1)} MB`;
}

async function main(args: string[]): Promise<number> {
  try {
    const options = parseReleaseArgs(args);
    if (options.help) {
      line(`${USAGE}\n\nTargets (default: all): ${TARGETS.join(", ")}`);
      return 0;
    }
    const onCompile = Deno.stderr.isTerminal()
      ? (target: Target, index: number, total: number) =>
        note(`release: compiling for ${target} (${index}/${total})…`)
      : undefined;
    const done = await release({ ...options, onCompile });
    const shown = (path: string) => relative(Deno.cwd(), path) || path;
    for (const file of done.files) {
      line(`${shown(file.path)}  ${megabytes(file.size)}  sha256:${file.sha256}`);
    }
    line(`${shown(done.sums)}`);
    return 0;
  } catch (err) {
    return reportError(err);
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
