/** `sqlink cas export BUNDLE -o FILE`: one portable file holding a bundle and its blobs. */
import { UsageError } from "../../lib/errors.ts";
import { openCas } from "../../lib/cas/service.ts";
import { exportBundle } from "../../lib/bundle/archive/export.ts";
import { signingKeyFromEnv } from "../../lib/bundle/signing.ts";
import { formatBytes } from "../../lib/size.ts";
import type { CasArgs } from "../options.ts";
import { line, out, printJson, table } from "../output.ts";
import { progress } from "../progress.ts";

interface ExportArgs extends CasArgs {
  bundle: string;
  output?: string;
  quiet: boolean;
}

/** Run the command with its parsed arguments. */
export function exportCas(argv: ExportArgs): void {
  if (argv.output === undefined) {
    throw new UsageError("cas export needs -o FILE: the archive file to write", {
      hint: "For example `sqlink cas export analytics -o analytics.sqlink`",
    });
  }
  const cas = openCas({ cas: argv.cas });
  const bar = progress("export", { enabled: !argv.json && !argv.quiet, unit: "items" });
  let result;
  try {
    result = exportBundle(cas, String(argv.bundle), argv.output, {
      signingKey: signingKeyFromEnv(),
      progress: (doing, done, total) => bar.update(done, total, doing),
    });
  } finally {
    bar.done();
  }
  const { bundle, members } = result;
  if (argv.json) {
    printJson({
      ok: true,
      path: result.path,
      bundle: bundle.name,
      setHash: bundle.setHash,
      members,
      fileSize: result.fileSize,
      signed: result.signed,
    });
    return;
  }
  line(
    `exported bundle "${bundle.name}" (set ${
      bundle.setHash.slice(0, 16)
    }…, ${members.length} member${members.length === 1 ? "" : "s"}) to ${result.path}: ${
      formatBytes(result.fileSize)
    }, ${result.signed ? "signed" : "not signed"}`,
  );
  out(table(
    ["ORDER", "NAME", "BLAKE3", "SIZE", "ENTRY POINT"],
    members.map((m) => [
      String(m.loadOrder),
      m.extensionName,
      m.contentHash.slice(0, 16),
      formatBytes(m.size),
      m.entryPoint ?? "(default)",
    ]),
    [0, 3],
  ));
}
