/** `sqlink ext add SOURCE [--name NAME]`: install this platform's build of an extension. */
import { openCas } from "../../lib/cas/service.ts";
import { installExtension, type InstallOutcome } from "../../lib/install/install.ts";
import { cacheRoot, checkCacheRoot } from "../../lib/paths.ts";
import { formatBytes } from "../../lib/size.ts";
import type { CasArgs } from "../options.ts";
import { line, printJson } from "../output.ts";
import { installedJson } from "./ls.ts";

interface AddArgs extends CasArgs {
  source: string;
  name?: string;
}

/** One line for what an install did. */
export function describeInstall(outcome: InstallOutcome): string {
  const { installed, previous } = outcome;
  const version = installed.version ? `@${installed.version}` : "";
  const was = previous && previous.blake3 !== installed.blake3
    ? ` (was ${previous.version ? `@${previous.version}` : previous.blake3.slice(0, 12)})`
    : previous
    ? " (unchanged)"
    : "";
  return `${installed.name}${version}  ${installed.blake3.slice(0, 16)}  ${
    formatBytes(installed.size)
  }  from ${installed.origin}${was}`;
}

/** Run `sqlink ext add`. */
export async function add(argv: AddArgs): Promise<void> {
  const root = cacheRoot();
  checkCacheRoot(root);
  const outcome = await installExtension(
    { cas: openCas({ cas: argv.cas }), root },
    String(argv.source),
    { name: argv.name === undefined ? undefined : String(argv.name) },
  );
  if (argv.json) {
    printJson({ ok: true, installed: installedJson(outcome.installed), added: outcome.added });
    return;
  }
  line(`installed ${describeInstall(outcome)}`);
}
