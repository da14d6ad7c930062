/** `sqlink ext update [NAME]`: resolve installed extensions' sources again, install what changed. */
import { openCas } from "../../lib/cas/service.ts";
import { updateExtensions } from "../../lib/install/update.ts";
import { cacheRoot, checkCacheRoot } from "../../lib/paths.ts";
import type { CasArgs } from "../options.ts";
import { line, printJson } from "../output.ts";
import { describeInstall } from "./add.ts";
import { installedJson } from "./ls.ts";

interface UpdateArgs extends CasArgs {
  name?: string;
}

/** Run `sqlink ext update`. */
export async function update(argv: UpdateArgs): Promise<void> {
  const root = cacheRoot();
  checkCacheRoot(root);
  const outcomes = await updateExtensions(
    { cas: openCas({ cas: argv.cas }), root },
    argv.name === undefined ? undefined : String(argv.name),
  );
  if (argv.json) {
    printJson({
      ok: true,
      updated: outcomes.map((o) => ({
        ...installedJson(o.installed),
        previous: o.previous ? installedJson(o.previous) : null,
        changed: o.previous?.blake3 !== o.installed.blake3,
      })),
    });
    return;
  }
  if (outcomes.length === 0) line("No extensions are installed");
  for (const o of outcomes) {
    line(
      o.previous?.blake3 === o.installed.blake3
        ? `${o.installed.name}: up to date (${o.installed.version ?? o.installed.origin})`
        : `updated ${describeInstall(o)}`,
    );
  }
}
