/** `sqlink bundle list`: every saved bundle, most recently used first. */
import { listBundles } from "../../lib/bundle/registry.ts";
import { openCas } from "../../lib/cas/service.ts";
import type { CasArgs } from "../options.ts";
import { formatTime, line, out, printJson, table } from "../output.ts";

/** Run the command with its parsed arguments. */
export function list(argv: CasArgs): void {
  const bundles = listBundles(openCas({ cas: argv.cas }));
  if (argv.json) {
    printJson({ ok: true, bundles });
    return;
  }
  if (bundles.length === 0) {
    line("No bundles. Save the loaded extensions with `.bundle save NAME` in the shell.");
    return;
  }
  out(table(
    ["NAME", "HASH", "MEMBERS", "BINARIES", "LAST USED"],
    bundles.map((b) => [
      b.name,
      b.setHash.slice(0, 12),
      b.members.map((m) => m.extensionName).join(","),
      String(b.binaries.length),
      formatTime(b.lastUsedAt),
    ]),
    [3],
  ));
}
