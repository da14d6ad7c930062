/** `sqlink cas ls`: list artifacts, sorted and paged. */
// @ts-types="@types/yargs"
import type { CommandModule } from "yargs";
import { UsageError } from "../../lib/errors.ts";
import { SORT_KEYS, type SortKey } from "../../lib/cas/catalog.ts";
import { openCas } from "../../lib/cas/service.ts";
import { formatBytes } from "../../lib/size.ts";
import type { CasArgs } from "../cas.ts";
import { formatTime, line, out, printJson, table } from "../output.ts";

interface LsArgs extends CasArgs {
  sort: SortKey;
  desc: boolean;
  limit?: number;
  offset?: number;
}

/** A non-negative integer option, or a usage error naming it. */
export function count(value: number | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0) {
    throw new UsageError(`--${flag} needs a whole number of 0 or more`, {
      hint: `For example --${flag} 10`,
    });
  }
  return value;
}

/** The ls subcommand. */
export const lsCommand: CommandModule<CasArgs, LsArgs> = {
  command: "ls",
  describe: "List artifacts",
  builder: (y) =>
    y.option("sort", { choices: SORT_KEYS, default: "created" as SortKey, describe: "Order by" })
      .option("desc", { type: "boolean", default: false, describe: "Reverse the order" })
      .option("limit", { type: "number", requiresArg: true, describe: "Show at most N" })
      .option("offset", {
        type: "number",
        requiresArg: true,
        describe: "Skip the first N",
      }) as never,
  handler: (argv) => {
    const options = {
      sort: argv.sort,
      desc: argv.desc,
      limit: count(argv.limit, "limit"),
      offset: count(argv.offset, "offset"),
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
