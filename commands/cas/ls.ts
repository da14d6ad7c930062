/** `sqlink cas ls`: list artifacts, sorted and paged. */
import type { SortKey } from "../../lib/cas/catalog.ts";
import { openCas } from "../../lib/cas/service.ts";
import { formatBytes } from "../../lib/size.ts";
import type { CasArgs } from "../options.ts";
import { countArg } from "../numeric.ts";
import { formatTime, line, out, printJson, table } from "../output.ts";

interface LsArgs extends CasArgs {
  sort: SortKey;
  desc: boolean;
  limit?: string;
  offset?: string;
}

/** Run the command with its parsed arguments. */
export function ls(argv: LsArgs): void {
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
}
