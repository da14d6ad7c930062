/** `sqlink bundle show NAME|HASH`: one bundle's members and binaries in detail. */
import { findBundle, listBundles, missingMembers } from "../../lib/bundle/registry.ts";
import { bundleBinary } from "../../lib/bake/binary.ts";
import { openCas } from "../../lib/cas/service.ts";
import type { CasArgs } from "../options.ts";
import { formatTime, line, out, printJson, table } from "../output.ts";

interface ShowArgs extends CasArgs {
  ref: string;
}

/** Run the command with its parsed arguments. */
export function show(argv: ShowArgs): void {
  const cas = openCas({ cas: argv.cas });
  const bundle = findBundle(cas, String(argv.ref));
  const missing = new Set(missingMembers(cas, bundle.members).map((m) => m.contentHash));
  const aliases = listBundles(cas).filter((b) =>
    b.setHash === bundle.setHash && b.name !== bundle.name
  ).map((b) => b.name);
  // intact: the file sqlink installed; changed: replaced, modified or gone since.
  const binaries = bundle.binaries.map((b) => ({
    ...b,
    state: bundleBinary(bundle, b.targetTriple).state,
  }));
  if (argv.json) {
    printJson({
      ok: true,
      bundle: {
        ...bundle,
        aliases,
        members: bundle.members.map((m) => ({ ...m, present: !missing.has(m.contentHash) })),
        binaries,
      },
    });
    return;
  }
  line(`name:       ${bundle.name}`);
  line(`set hash:   ${bundle.setHash}`);
  if (aliases.length > 0) line(`also named: ${aliases.join(", ")}`);
  line(`created:    ${formatTime(bundle.createdAt)}`);
  line(`last used:  ${formatTime(bundle.lastUsedAt)}`);
  line(`members:    ${bundle.members.length}`);
  out(indent(table(
    ["#", "EXTENSION", "BLAKE3", "ENTRY POINT", "IN CACHE"],
    bundle.members.map((m) => [
      String(m.loadOrder + 1),
      m.extensionName,
      m.contentHash,
      m.entryPoint ?? "default",
      missing.has(m.contentHash) ? "MISSING" : "yes",
    ]),
  )));
  if (bundle.binaries.length === 0) {
    line("binaries:   none");
    return;
  }
  line(`binaries:   ${bundle.binaries.length}`);
  out(indent(table(
    ["TARGET", "PATH", "BUILT", "STATE"],
    binaries.map((b) => [b.targetTriple, b.binaryPath, formatTime(b.builtAt), b.state]),
  )));
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, "  ");
}
