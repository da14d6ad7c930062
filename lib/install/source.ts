/**
 * Where an extension is installed from (SPEC §5): `npm:PACKAGE[@RANGE]` or a pinned
 * `https://…#sha256=<hex>` URL. One function reads the text, another fetches the library
 * for a platform, so `ext add`, `ext update`, `lock` and `sync` all go through the same
 * two doors.
 */
import { SqlinkError, UsageError } from "../errors.ts";
import { fetchPinned, parsePinnedUrl, type PinnedUrl } from "./https.ts";
import {
  fetchNpmVariant,
  noVariantError,
  type NpmRelease,
  type NpmSpec,
  parseNpmSpec,
  resolveNpm,
} from "./npm.ts";
import type { Platform } from "./platform.ts";
import { extensionName } from "../ext/name.ts";

/** A source as given. */
export type Source =
  | { kind: "npm"; text: string; spec: NpmSpec }
  | { kind: "https"; text: string; pinned: PinnedUrl };

/** Read `text` as a source; anything else is a usage error saying what is accepted. */
export function parseSource(text: string): Source {
  if (text.startsWith("npm:")) return { kind: "npm", text, spec: parseNpmSpec(text.slice(4)) };
  if (/^https?:\/\//i.test(text)) return { kind: "https", text, pinned: parsePinnedUrl(text) };
  throw new UsageError(`"${text}" is not an extension source`, {
    hint: "Give npm:PACKAGE[@RANGE] (e.g. npm:sqlite-vec@0.1.6) or https://HOST/PATH#sha256=<hex>",
  });
}

/** A source pinned to one version: what can be fetched for any platform. */
export type Resolved =
  | { kind: "npm"; source: Source; release: NpmRelease; version: string }
  | { kind: "https"; source: Source; pinned: PinnedUrl; version: null };

/** Pin `source` to a version (npm: the range resolved; https: already pinned). */
export async function resolveSource(source: Source): Promise<Resolved> {
  if (source.kind === "https") {
    return { kind: "https", source, pinned: source.pinned, version: null };
  }
  const release = await resolveNpm(source.spec);
  return { kind: "npm", source, release, version: release.version };
}

/** One platform's library of a resolved source. */
export interface Variant {
  platform: Platform;
  /** The extension name its file gives (`vec0`). */
  name: string;
  /** Its file name (`vec0.so`). */
  fileName: string;
  bytes: Uint8Array;
  /** Where exactly it came from: `npm:sqlite-vec-linux-x64@0.1.6/vec0.so`, or the pinned URL. */
  origin: string;
}

/**
 * `platform`'s library of `resolved`, downloaded and checked; undefined when the source
 * has no build for it (`required`: an error naming the platforms it has).
 */
export async function fetchVariant(
  resolved: Resolved,
  platform: Platform,
  required = false,
): Promise<Variant | undefined> {
  if (resolved.kind === "https") {
    const { file, bytes } = await fetchPinned(resolved.pinned, platform);
    return {
      platform,
      name: extensionName(file),
      fileName: file,
      bytes,
      origin: `${resolved.pinned.url}#sha256=${resolved.pinned.sha256}`,
    };
  }
  const variant = await fetchNpmVariant(resolved.release, platform);
  if (!variant) {
    if (required) throw await noVariantError(resolved.release, platform);
    return undefined;
  }
  const fileName = variant.file.split("/").pop()!;
  return {
    platform,
    name: extensionName(fileName),
    fileName,
    bytes: variant.bytes,
    origin: `npm:${variant.packageName}@${variant.version}/${variant.file}`,
  };
}

/**
 * Fetch the library an origin names (`npm:sqlite-vec-linux-x64@0.1.6/vec0.so`, or a pinned
 * URL) for `platform`: what `sqlink sync` does for a member no cache holds.
 */
export async function fetchOrigin(origin: string, platform: Platform): Promise<Variant> {
  const npm = /^npm:((?:@[^/@]+\/)?[^/@]+)@([^/]+)\/(.+)$/.exec(origin);
  if (npm) {
    const [, pkg, version, file] = npm;
    const release = await resolveNpm(parseNpmSpec(`${pkg}@${version}`));
    const variant = await fetchVariant(
      { kind: "npm", source: parseSource(`npm:${pkg}@${version}`), release, version },
      platform,
      true,
    );
    const got = variant!.origin.slice(`npm:${pkg}@${version}/`.length);
    if (got !== file) {
      throw new SqlinkError(
        "ENOLIBRARY",
        `${pkg}@${version} holds its library at ${got}, not at ${file} as "${origin}" says`,
        { hint: "The origin does not match the package: check the lock file" },
      );
    }
    return variant!;
  }
  const source = parseSource(origin);
  if (source.kind !== "https") {
    throw new UsageError(`"${origin}" is not an origin sqlink can fetch`, {
      hint: "An origin is npm:PACKAGE@VERSION/FILE or https://…#sha256=<hex>",
    });
  }
  return (await fetchVariant(await resolveSource(source), platform, true))!;
}
