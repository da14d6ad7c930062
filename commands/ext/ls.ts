/** `sqlink ext ls`: the installed extensions. */
import { openCas } from "../../lib/cas/service.ts";
import { type Installed, listInstalled } from "../../lib/install/installed.ts";
import { formatBytes } from "../../lib/size.ts";
import type { CasArgs } from "../options.ts";
import { line, out, printJson, table } from "../output.ts";

/** An installed extension as `--json` shows it. */
export function installedJson(i: Installed): Record<string, unknown> {
  return {
    name: i.name,
    source: i.source,
    version: i.version,
    origin: i.origin,
    blake3: i.blake3,
    sha256: i.sha256,
    size: i.size,
  };
}

/** Run `sqlink ext ls`. */
export function ls(argv: CasArgs): void {
  const cas = openCas({ cas: argv.cas });
  const installed = cas.guard(() => listInstalled(cas.db));
  const cached = (i: Installed) => cas.info(i.blake3) !== undefined;
  if (argv.json) {
    printJson({ extensions: installed.map((i) => ({ ...installedJson(i), cached: cached(i) })) });
    return;
  }
  if (installed.length === 0) {
    line("No extensions are installed; install one with `sqlink ext add npm:PACKAGE`");
    return;
  }
  out(table(
    ["NAME", "VERSION", "SIZE", "BLAKE3", "CACHED", "ORIGIN"],
    installed.map((i) => [
      i.name,
      i.version ?? "-",
      formatBytes(i.size),
      i.blake3.slice(0, 16),
      cached(i) ? "yes" : "no",
      i.origin,
    ]),
    [2],
  ));
}
