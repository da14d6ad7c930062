/** `sqlink cas export BUNDLE -o FILE`: one portable file holding a bundle and its blobs. */
// @ts-types="@types/yargs"
import type { CommandModule } from "yargs";
import { UsageError } from "../../lib/errors.ts";
import { openCas } from "../../lib/cas/service.ts";
import { exportBundle } from "../../lib/bundle/archive.ts";
import { signingKeyFromEnv } from "../../lib/bundle/signing.ts";
import { formatBytes } from "../../lib/size.ts";
import type { CasArgs } from "../cas.ts";
import { line, out, printJson, table } from "../output.ts";

interface ExportArgs extends CasArgs {
  bundle: string;
  output?: string;
}

/** The export subcommand. */
export const exportCommand: CommandModule<CasArgs, ExportArgs> = {
  command: "export <bundle>",
  describe:
    "Write a bundle and its extension binaries to one archive file (signed when $SQLINK_SIGNING_KEY is set)",
  builder: (y) =>
    y.positional("bundle", {
      type: "string",
      demandOption: true,
      describe: "A bundle name, or a unique prefix (≥4) of its set hash",
    })
      .option("output", {
        alias: "o",
        type: "string",
        requiresArg: true,
        describe: "The archive file to write (replaced atomically)",
      })
      .example(
        "sqlink cas export analytics -o analytics.sqlink",
        "Share the bundle analytics (import it with `sqlink cas import analytics.sqlink`)",
      ) as never,
  handler: (argv) => {
    if (argv.output === undefined) {
      throw new UsageError("cas export needs -o FILE: the archive file to write", {
        hint: "For example `sqlink cas export analytics -o analytics.sqlink`",
      });
    }
    const cas = openCas({ cas: argv.cas });
    const result = exportBundle(cas, String(argv.bundle), argv.output, {
      signingKey: signingKeyFromEnv(),
    });
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
  },
};
