/** `sqlink cas ls`: list artifacts, sorted and paged. */
// @ts-types="@types/yargs"
import type { CommandModule } from "yargs";
import { SORT_KEYS, type SortKey } from "../../lib/cas/catalog.ts";
import { openCas } from "../../lib/cas/service.ts";
import { formatBytes } from "../../lib/size.ts";
import type { CasArgs } from "../cas.ts";
import { countArg, numericOption } from "../numeric.ts";
import { formatTime, line, out, printJson, table } from "../output.ts";

interface LsArgs extends CasArgs {
  sort: SortKey;
  desc: boolean;
  limit?: string;
  offset?: string;
}

/** The ls subcommand. */
export const lsCommand: CommandModule<CasArgs, LsArgs> = {
  command: "ls",
  describe: "List artifacts",
  builder: (y) =>
    y.option("sort", { choices: SORT_KEYS, default: "created" as SortKey, describe: "Order by" })
      .option("desc", { type: "boolean", default: false, describe: "Reverse the order" })
      .option("limit", numericOption("Show at most N"))
      .option("offset", numericOption("Skip the first N")) as never,
  handler: (argv) => {
    const options = {
      sort: argv.sort,
      desc: argv.desc,
      limit: countArg(argv.limit, "--limit"),
      offset: countArg(argv.offset, "--offset"),
    };
    const items = openCas({ cas: argv.cas }).list(options);
    if (argv.json) {
      printJson({ ok: true, artifacts: items });
      return;
    }
    if (items.length === 0) {
      line("No artifacts.");
      return;
    }
    out(table(
      ["BLAKE3", "SIZE", "STORED", "CODEC", "CREATED", "LAST USED", "PINNED", "URIS"],
      items.map((a) => [
        a.blake3.slice(0, 16),
        formatBytes(a.size),
        formatBytes(a.storedSize),
        a.codec,
        formatTime(a.createdAt),
        formatTime(a.lastUsedAt),
        a.pinned ? "yes" : "no",
        a.uris.join(" "),
      ]),
      [1, 2],
    ));
  },
};
