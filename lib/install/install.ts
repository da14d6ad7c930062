/**
 * Installing an extension (SPEC §5): fetch this platform's library from its source, check
 * that it loads (in a scratch connection, through the `.load` pipeline: header, cache,
 * materialized copy), then bind `extension:NAME` and its origin URI and record where it
 * came from. A library that does not load leaves nothing behind.
 */
import type { CasStore } from "../cas/store.ts";
import { checkExtensionName } from "../ext/name.ts";
import { loadChecked } from "../ext/load.ts";
import { ExtensionSet, scratchConnection } from "../ext/loaded.ts";
import { findInstalled, type Installed, recordInstalled } from "./installed.ts";
import { hostPlatform } from "./platform.ts";
import { fetchVariant, parseSource, resolveSource, type Variant } from "./source.ts";
import { SqlinkError } from "../errors.ts";

/** What an install did. */
export interface InstallOutcome {
  installed: Installed;
  /** The record it replaced (`ext update`, or `ext add` again), if any. */
  previous?: Installed;
  /** True when the blob was new to the cas-cache. */
  added: boolean;
}

/** Where installs put things. */
export interface InstallTarget {
  cas: CasStore;
  /** The cache root (`<root>/ext/…`). */
  root: string;
}

/**
 * Put `variant` (this platform's, already fetched) in the cache as extension `name`, after
 * loading it once in a scratch connection; record `source` and `version` with its origin.
 */
export function installVariant(
  target: InstallTarget,
  variant: Variant,
  name: string,
  source: string,
  version: string | null,
): InstallOutcome {
  const previous = findInstalled(target.cas.db, name);
  const scratch = scratchConnection(name);
  let outcome;
  try {
    outcome = loadChecked(
      { cas: target.cas, root: target.root, db: scratch, set: new ExtensionSet() },
      {
        typed: variant.origin,
        name,
        fileName: `${name}${variant.platform.suffix}`,
        bytes: variant.bytes,
        entryPoint: null,
        origin: variant.origin,
      },
    );
  } finally {
    scratch.close();
  }
  const info = target.cas.info(outcome.extension.blake3)!;
  const now = Date.now();
  const record = {
    name,
    source,
    version,
    origin: variant.origin,
    blake3: info.blake3,
    sha256: info.sha256,
    size: info.size,
  };
  target.cas.write(() => recordInstalled(target.cas.db, record, now));
  return { installed: findInstalled(target.cas.db, name)!, previous, added: outcome.added };
}

/**
 * `sqlink ext add SOURCE [--name NAME]`: resolve, fetch this platform's library, install.
 * A name already installed from another source is refused (update it, or pick a name).
 */
export async function installExtension(
  target: InstallTarget,
  sourceText: string,
  options: { name?: string } = {},
): Promise<InstallOutcome> {
  const source = parseSource(sourceText);
  if (options.name !== undefined) {
    checkExtensionName(options.name, "Cannot install", { exitCode: 2 });
  }
  const resolved = await resolveSource(source);
  const variant = (await fetchVariant(resolved, hostPlatform(), true))!;
  const name = options.name ?? checkExtensionName(variant.name, `Cannot install ${sourceText}`);
  const existing = findInstalled(target.cas.db, name);
  if (existing && existing.source !== source.text) {
    throw new SqlinkError(
      "EEXIST",
      `An extension called "${name}" is already installed from ${existing.source}`,
      {
        hint:
          `Update it with \`sqlink ext update ${name}\`, remove it first (\`sqlink ext rm ${name}\`), or install this one under another name with --name`,
      },
    );
  }
  return installVariant(target, variant, name, source.text, resolved.version);
}
