/**
 * Test fixtures: real SQLite extension binaries, taken from the npm platform packages their
 * authors publish (`sqlite-vec-linux-x64`, …), unpacked into `.fixtures/` (gitignored).
 *
 * Each package is fetched with `npm pack NAME@VERSION` and unpacked with `tar`, only when it
 * is not there yet. Work happens in a private temporary directory that is renamed into place
 * at the end, so two test files (or two processes) may call this at once: one rename wins,
 * the other finds the finished directory and uses it.
 *
 * Needs Node.js with npm on PATH and network access to the npm registry on first use.
 *
 * @example
 * ```sh
 * deno run --allow-read --allow-write --allow-env --allow-run scripts/fixtures.ts
 * deno run --allow-read --allow-write --allow-env --allow-run scripts/fixtures.ts vec0@0.1.9
 * ```
 *
 * @example
 * ```ts
 * import { ensureFixtures } from "../scripts/fixtures.ts";
 * const fixtures = await ensureFixtures();
 * const vec0 = fixtures["vec0@0.1.9"]; // absolute path of vec0.so / vec0.dylib / vec0.dll
 * ```
 */
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** An npm platform target, as the sqlite-* packages name them: `<os>-<arch>`. */
export type Platform =
  | "linux-x64"
  | "linux-arm64"
  | "darwin-x64"
  | "darwin-arm64"
  | "windows-x64"
  | "windows-arm64";

/** One extension binary and where npm publishes it. */
export interface FixtureSpec {
  /** The key in the map `ensureFixtures` returns. */
  name: string;
  /** Package name without the platform suffix; the package is `<base>-<platform>`. */
  base: string;
  /** The file name of the binary without its extension (`vec0` → `vec0.so`). */
  file: string;
  /** The version to fetch on each platform it is published for. */
  versions: Partial<Record<Platform, string>>;
}

const EVERY_VEC_TARGET = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "windows-x64"];

function on(platforms: string[], version: string): Partial<Record<Platform, string>> {
  return Object.fromEntries(platforms.map((p) => [p, version]));
}

/**
 * The fixtures, with versions checked against the registry (`npm view <pkg> versions`).
 * sqlite-lines and sqlite-path publish no arm64 builds; sqlite-regex 0.2.3 exists for
 * linux-x64 only, the other targets have 0.2.4-alpha.1.
 */
export const FIXTURES: readonly FixtureSpec[] = [
  { name: "vec0@0.1.9", base: "sqlite-vec", file: "vec0", versions: on(EVERY_VEC_TARGET, "0.1.9") },
  { name: "vec0@0.1.6", base: "sqlite-vec", file: "vec0", versions: on(EVERY_VEC_TARGET, "0.1.6") },
  {
    name: "lines0",
    base: "sqlite-lines",
    file: "lines0",
    versions: on(["linux-x64", "darwin-x64", "windows-x64"], "0.2.2"),
  },
  {
    name: "path0",
    base: "sqlite-path",
    file: "path0",
    versions: on(["linux-x64", "darwin-x64", "windows-x64"], "0.2.1"),
  },
  {
    name: "regex0",
    base: "sqlite-regex",
    file: "regex0",
    versions: {
      "linux-x64": "0.2.3",
      ...on(["darwin-x64", "darwin-arm64", "windows-x64"], "0.2.4-alpha.1"),
    },
  },
];

/** Where fixtures go by default: `<repo>/.fixtures/`. */
export const DEFAULT_FIXTURES_DIR = fileURLToPath(new URL("../.fixtures/", import.meta.url));

const ARCHES: Record<string, "x64" | "arm64"> = { x86_64: "x64", aarch64: "arm64" };

/** This host's platform in npm package naming. */
export function hostPlatform(): Platform {
  const { os, arch } = Deno.build;
  if ((os !== "linux" && os !== "darwin" && os !== "windows") || !ARCHES[arch]) {
    throw new Error(`No SQLite extension fixtures are published for ${os} on ${arch}`);
  }
  return `${os}-${ARCHES[arch]}`;
}

/** The shared-library suffix of `platform`. */
export function libraryExtension(platform: Platform): string {
  if (platform.startsWith("darwin")) return "dylib";
  if (platform.startsWith("windows")) return "dll";
  return "so";
}

/** Options of `ensureFixtures`. */
export interface FixtureOptions {
  /** Where to unpack; defaults to DEFAULT_FIXTURES_DIR. */
  dir?: string;
  /** Only these fixture names; defaults to all. */
  only?: string[];
  /** Platform to fetch for; defaults to this host's. */
  platform?: Platform;
}

/** Work in flight in this process, so concurrent callers share one download per package. */
const inFlight = new Map<string, Promise<string>>();

/**
 * Make sure the fixtures are unpacked, fetching what is missing. Returns a map from fixture
 * name to the absolute path of its binary. Fixtures not published for the platform are
 * left out of the map.
 */
export async function ensureFixtures(
  options: FixtureOptions = {},
): Promise<Record<string, string>> {
  const root = resolve(options.dir ?? DEFAULT_FIXTURES_DIR);
  const platform = options.platform ?? hostPlatform();
  const wanted = options.only ?? FIXTURES.map((f) => f.name);
  const unknown = wanted.filter((name) => !FIXTURES.some((f) => f.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown fixture(s): ${unknown.join(", ")}; known: ${FIXTURES.map((f) => f.name)}`,
    );
  }
  await Deno.mkdir(root, { recursive: true });
  const specs = FIXTURES.filter((f) => wanted.includes(f.name) && f.versions[platform]);
  const paths = await Promise.all(specs.map((spec) => {
    const key = `${root}\0${spec.base}\0${platform}\0${spec.versions[platform]}`;
    let job = inFlight.get(key);
    if (!job) {
      job = ensureOne(root, spec, platform).finally(() => inFlight.delete(key));
      inFlight.set(key, job);
    }
    return job;
  }));
  return Object.fromEntries(specs.map((spec, i) => [spec.name, paths[i]]));
}

/** The binary named `<file>.<ext>` anywhere under `dir` (packages put it in `/` or `lib/`). */
async function findBinary(dir: string, fileName: string): Promise<string | undefined> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  for (const entry of entries) {
    if (entry.isFile && entry.name === fileName) return join(dir, entry.name);
  }
  for (const entry of entries) {
    if (!entry.isDirectory) continue;
    const found = await findBinary(join(dir, entry.name), fileName);
    if (found) return found;
  }
  return undefined;
}

async function ensureOne(root: string, spec: FixtureSpec, platform: Platform): Promise<string> {
  const version = spec.versions[platform]!;
  const pkg = `${spec.base}-${platform}`;
  const fileName = `${spec.file}.${libraryExtension(platform)}`;
  const final = join(root, `${pkg}@${version}`);
  const ready = await findBinary(final, fileName);
  if (ready) return ready;

  const work = await Deno.makeTempDir({ dir: root, prefix: `.tmp-${pkg}@${version}-` });
  try {
    await run(npmCommand(), ["pack", `${pkg}@${version}`, "--pack-destination", work], work);
    const tarballs = (await Array.fromAsync(Deno.readDir(work)))
      .filter((e) => e.isFile && e.name.endsWith(".tgz"))
      .map((e) => e.name);
    if (tarballs.length !== 1) {
      throw new Error(`npm pack ${pkg}@${version} left ${tarballs.length} tarballs in ${work}`);
    }
    await run("tar", ["xzf", tarballs[0], "-C", work], work);
    const unpacked = join(work, "package");
    if (!(await findBinary(unpacked, fileName))) {
      throw new Error(`${pkg}@${version} holds no ${fileName}`);
    }
    try {
      await Deno.rename(unpacked, final);
    } catch (err) {
      // Another process finished first: its directory is as good as ours.
      if (!(await findBinary(final, fileName))) throw err;
    }
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
  const path = await findBinary(final, fileName);
  if (!path) throw new Error(`${final} holds no ${fileName}; remove it and run again`);
  return path;
}

function npmCommand(): string {
  return Deno.build.os === "windows" ? "npm.cmd" : "npm";
}

/**
 * Run a tool to completion with its output captured; `missing` is the message when it is
 * not on PATH. A failure carries the tool's stderr.
 */
export async function runTool(
  cmd: string,
  args: string[],
  cwd: string,
  missing: string,
): Promise<void> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, {
      args,
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    })
      .output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new Error(missing, { cause: err });
    throw err;
  }
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`\`${cmd} ${args.join(" ")}\` failed (exit ${out.code}):\n${stderr}`);
  }
}

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return runTool(
    cmd,
    args,
    cwd,
    `\`${basename(cmd)}\` is not on PATH; the test fixtures need Node.js with npm and tar`,
  );
}

if (import.meta.main) {
  const args = [...Deno.args];
  let dir: string | undefined;
  const at = args.indexOf("--dir");
  if (at >= 0) {
    dir = args[at + 1];
    if (!dir) {
      console.error("usage: fixtures.ts [--dir DIR] [NAME...]");
      Deno.exit(2);
    }
    args.splice(at, 2);
  }
  try {
    const fixtures = await ensureFixtures({ dir, only: args.length > 0 ? args : undefined });
    console.log(JSON.stringify(fixtures, null, 2));
  } catch (err) {
    console.error(`error: ${err instanceof Error ? err.message : err}`);
    Deno.exit(1);
  }
}
