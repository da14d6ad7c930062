/** `sqlink cas gc [--max-bytes N]`: evict least recently used, unpinned artifacts. */
import type { EvictionReport } from "../../lib/cas/evict.ts";
import { openCas } from "../../lib/cas/service.ts";
import { formatBytes } from "../../lib/size.ts";
import type { CasArgs } from "../options.ts";
import { sizeArg } from "../numeric.ts";
import { line, note, printJson } from "../output.ts";
import { progress } from "../progress.ts";

interface GcArgs extends CasArgs {
  "max-bytes"?: string;
  quiet: boolean;
}

/** Say on stderr what an eviction did and whether pinned bytes exceed the cap. */
export function reportEviction(report: EvictionReport, options: { quiet?: boolean } = {}): void {
  if (!options.quiet && report.evicted.length > 0) {
    note(
      `note: evicted ${report.evicted.length} artifact(s), ${
        formatBytes(report.freedBytes)
      }, to stay under the cap of ${formatBytes(report.maxBytes)}`,
    );
  }
  if (report.overCap) {
    const why = report.pinnedBytes > report.maxBytes
      ? `bundles pin ${formatBytes(report.pinnedBytes)}, more than the cap of ${
        formatBytes(report.maxBytes)
      }; pinned artifacts are kept`
      : `the artifacts just added alone exceed the cap of ${formatBytes(report.maxBytes)}`;
    note(`warning: the cache holds ${formatBytes(report.totalBytes)}: ${why}`);
  }
}

/** Run the command with its parsed arguments. */
export function gc(argv: GcArgs): void {
  const maxBytes = sizeArg(argv["max-bytes"], "--max-bytes");
  const cas = openCas({ cas: argv.cas });
  const bar = progress("gc", { enabled: !argv.json && !argv.quiet });
  bar.say("evicting least recently used artifacts");
  let report;
  try {
    report = cas.gc(maxBytes);
  } finally {
    bar.done();
  }
  if (argv.json) {
    printJson({ ok: true, ...report });
    return;
  }
  line(
    `evicted ${report.evicted.length} artifact(s), freed ${formatBytes(report.freedBytes)}; ` +
      `${formatBytes(report.totalBytes)} stored of a ${formatBytes(report.maxBytes)} cap`,
  );
  const { beforeBytes, afterBytes, vacuum } = report.reclaim;
  if (vacuum !== "none" && afterBytes < beforeBytes) {
    line(
      `gave ${formatBytes(beforeBytes - afterBytes)} back to the disk (cache file and WAL: ` +
        `${formatBytes(beforeBytes)} -> ${formatBytes(afterBytes)})`,
    );
  }
  reportEviction({ ...report, evicted: [] });
}
