/**
 * The `npm:PACKAGE[@RANGE]` source (SPEC §5): the sqlite-dist family publishes one package
 * per platform (`sqlite-vec-linux-x64`), named by the main package's optionalDependencies.
 * This module reads the registry's metadata, resolves a range (npm's own semver), picks a
 * platform's package, downloads its tarball, checks it against `dist.integrity` before
 * reading a byte, and takes the loadable library out of it.
 */
import { SqlinkError } from "../errors.ts";
import { download } from "./download.ts";
import { checkIntegrity } from "./integrity.ts";
import { PUBLIC_REGISTRY, registryFor } from "./npmrc.ts";
import { type Platform, platformOfPackage, PLATFORMS } from "./platform.ts";
import { pickLibrary } from "./library.ts";
import { gunzip, readTar } from "./tar.ts";

/** A package and the range asked for (`latest` when none was given). */
export interface NpmSpec {
  name: string;
  range: string;
}

/** One version of a package as the registry describes it. */
interface Manifest {
  name: string;
  version: string;
  optionalDependencies?: Record<string, string>;
  dist?: { tarball?: string; integrity?: string };
}

interface Packument {
  name: string;
  "dist-tags"?: Record<string, string>;
  versions?: Record<string, Manifest>;
}

/** A version of a package resolved: which platform packages it names. */
export interface NpmRelease {
  /** The package asked for. */
  name: string;
  version: string;
  /** Platform package (name and exact version) per npm suffix, as the package lists them. */
  listed: Map<string, { name: string; version: string }>;
}

/** One platform's library, downloaded and checked against the registry's integrity. */
export interface NpmVariant {
  platform: Platform;
  /** `sqlite-vec-linux-x64`. */
  packageName: string;
  version: string;
  /** The library's path inside the package (`vec0.so`, `lib/lines0.so`). */
  file: string;
  bytes: Uint8Array;
  tarball: string;
  integrity: string;
}

const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** `sqlite-vec@^0.1`, `@scope/pkg@1.2.3`, `sqlite-vec` (latest) as a spec; bad text → usage error. */
export function parseNpmSpec(text: string): NpmSpec {
  const at = text.indexOf("@", 1);
  const name = at < 0 ? text : text.slice(0, at);
  const range = at < 0 ? "latest" : text.slice(at + 1);
  if (!NPM_NAME.test(name) || name.length > 214 || range === "") {
    throw new SqlinkError("EUSAGE", `"npm:${text}" does not name an npm package`, {
      hint:
        "Give npm:PACKAGE or npm:PACKAGE@RANGE, e.g. npm:sqlite-vec@0.1.6 or npm:sqlite-vec@^0.1",
      exitCode: 2,
    });
  }
  return { name, range };
}

/** What `import("semver")` gives: only the calls used here. */
interface Semver {
  maxSatisfying(versions: string[], range: string): string | null;
  validRange(range: string): string | null;
  rcompare(a: string, b: string): number;
}

async function semver(): Promise<Semver> {
  return (await import("semver")).default as unknown as Semver;
}

/** The registry's metadata document of `name` (npm's abbreviated form), or undefined (404). */
async function packument(name: string): Promise<{ doc: Packument; registry: string } | undefined> {
  const { url: registry } = registryFor(name);
  const url = registry + name.replace("/", "%2f");
  const bytes = await download(url, `the metadata of ${name}`, {
    accept: "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8",
  });
  if (!bytes) return undefined;
  let doc: Packument;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new SqlinkError(
      "EREGISTRY",
      `The registry ${registry} sent metadata of ${name} that is not JSON`,
      {
        hint: "Check the registry (npm_config_registry, .npmrc)",
      },
    );
  }
  if (typeof doc !== "object" || doc === null || typeof doc.versions !== "object") {
    throw new SqlinkError(
      "EREGISTRY",
      `The registry ${registry} sent metadata of ${name} without versions`,
      {
        hint: "Check the registry (npm_config_registry, .npmrc)",
      },
    );
  }
  return { doc, registry };
}

function unknownPackage(name: string): SqlinkError {
  const { url } = registryFor(name);
  return new SqlinkError(
    "ENOPACKAGE",
    `No package "${name}" is published on the npm registry ${url}`,
    {
      hint: "Check the name (e.g. npm:sqlite-vec), or the registry npm is configured for",
    },
  );
}

/** The version of `doc` that `range` picks: a dist-tag, an exact version, or npm's semver range. */
async function pickVersion(doc: Packument, range: string): Promise<Manifest> {
  const versions = Object.keys(doc.versions ?? {});
  const tagged = doc["dist-tags"]?.[range];
  let version: string | null | undefined = tagged ?? (doc.versions?.[range] ? range : undefined);
  if (version === undefined) {
    const sv = await semver();
    if (sv.validRange(range) === null) {
      throw new SqlinkError(
        "EUSAGE",
        `"${range}" is neither a version, a range nor a tag of ${doc.name}`,
        {
          hint: "Give a version (0.1.6), a range (^0.1) or a tag (latest)",
          exitCode: 2,
        },
      );
    }
    version = sv.maxSatisfying(versions, range);
  }
  const manifest = version ? doc.versions?.[version] : undefined;
  if (!manifest) {
    const recent = (await semver()).rcompare;
    const newest = versions.sort(recent).slice(0, 8);
    throw new SqlinkError("ENOVERSION", `No version of ${doc.name} matches "${range}"`, {
      hint: `Published versions include ${newest.join(", ")}`,
      details: { versions: newest },
    });
  }
  return manifest;
}

/** Resolve `spec` to one version and the platform packages it lists. */
export async function resolveNpm(spec: NpmSpec): Promise<NpmRelease> {
  const found = await packument(spec.name);
  if (!found) throw unknownPackage(spec.name);
  const manifest = await pickVersion(found.doc, spec.range);
  const listed = new Map<string, { name: string; version: string }>();
  for (const platform of PLATFORMS) {
    const name = `${spec.name}-${platform.npm}`;
    const version = manifest.optionalDependencies?.[name];
    if (version) listed.set(platform.npm, { name, version });
  }
  // A platform package named directly (npm:sqlite-vec-linux-x64@0.1.6) is its own variant.
  const own = platformOfPackage(spec.name);
  if (listed.size === 0 && own) listed.set(own.npm, { name: spec.name, version: manifest.version });
  if (listed.size === 0) {
    throw new SqlinkError(
      "ENOLIBRARY",
      `${spec.name}@${manifest.version} names no per-platform packages (${spec.name}-linux-x64, …)`,
      {
        hint:
          "sqlink installs extensions published the sqlite-dist way (one package per platform); for another file use an https:// URL with #sha256=",
      },
    );
  }
  return { name: spec.name, version: manifest.version, listed };
}

/** npm's replace-registry-host default: a tarball on the public registry is fetched from the configured one. */
function tarballUrl(tarball: string, registry: string): string {
  if (registry !== PUBLIC_REGISTRY && tarball.startsWith(PUBLIC_REGISTRY)) {
    return registry + tarball.slice(PUBLIC_REGISTRY.length);
  }
  return tarball;
}

/**
 * Download `platform`'s variant of `release`: undefined when its package or version is not
 * published (sqlite-vec-linux-arm64@0.1.6 is listed but 404).
 */
export async function fetchNpmVariant(
  release: NpmRelease,
  platform: Platform,
): Promise<NpmVariant | undefined> {
  const entry = release.listed.get(platform.npm);
  if (!entry) return undefined;
  const found = await packument(entry.name);
  const manifest = found?.doc.versions?.[entry.version];
  if (!found || !manifest) return undefined;
  const what = `${entry.name}@${entry.version}`;
  const tarball = manifest.dist?.tarball;
  if (!tarball) {
    throw new SqlinkError("EREGISTRY", `The registry gives ${what} no tarball`, {
      hint: "Check the registry (npm_config_registry, .npmrc)",
    });
  }
  const url = tarballUrl(tarball, found.registry);
  const gz = await download(url, `the tarball of ${what}`);
  if (!gz) {
    throw new SqlinkError(
      "EREGISTRY",
      `The tarball of ${what} is missing from the registry (${url})`,
      {
        hint: "Check the registry (npm_config_registry, .npmrc)",
      },
    );
  }
  // Nothing of the tarball is read before it matches what the registry vouched for.
  checkIntegrity(gz, manifest.dist?.integrity, what);
  const entries = readTar(await gunzip(gz, `the tarball of ${what}`), `the tarball of ${what}`);
  const library = pickLibrary(entries, platform, what);
  return {
    platform,
    packageName: entry.name,
    version: entry.version,
    file: library.file,
    bytes: library.bytes,
    tarball: url,
    integrity: manifest.dist!.integrity!,
  };
}

/** The platforms whose variant of `release` is really published (each one asked). */
export async function publishedPlatforms(release: NpmRelease): Promise<Platform[]> {
  const checks = await Promise.all(PLATFORMS.map(async (platform) => {
    const entry = release.listed.get(platform.npm);
    if (!entry) return false;
    const found = await packument(entry.name).catch(() => undefined);
    return Boolean(found?.doc.versions?.[entry.version]);
  }));
  return PLATFORMS.filter((_, i) => checks[i]);
}

/** The error for a release without `platform`'s variant: every platform it has, named. */
export async function noVariantError(
  release: NpmRelease,
  platform: Platform,
): Promise<SqlinkError> {
  const have = await publishedPlatforms(release);
  return new SqlinkError(
    "ENOVARIANT",
    `${release.name}@${release.version} has no build for ${platform.npm} (${platform.target}); it is published for ${
      have.length > 0 ? have.map((p) => p.npm).join(", ") : "no platform at all"
    }`,
    {
      hint: "Pick a version published for this platform (`npm view PACKAGE-" + platform.npm +
        " versions`), or use another machine",
      details: { platform: platform.npm, available: have.map((p) => p.npm) },
    },
  );
}
