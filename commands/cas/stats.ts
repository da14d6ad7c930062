/** `sqlink cas stats`: what the cache holds and where. */
import { openCas } from "../../lib/cas/service.ts";
import { formatBytes } from "../../lib/size.ts";
import type { CasArgs } from "../options.ts";
import { line, out, printJson, table } from "../output.ts";
import { readRemoteStats } from "../../lib/remote/stats.ts";

/** Run the command with its parsed arguments. */
export function stats(argv: CasArgs): void {
  const store = openCas({ cas: argv.cas });
  const s = store.stats();
  // Cumulative per-remote counters (SPEC §10), kept under the remote's URL without credentials.
  const remotes = readRemoteStats(store);
  if (argv.json) {
    printJson({ ok: true, ...s, remotes });
    return;
  }
  const bytes = (n: number) => `${formatBytes(n)} (${n} bytes)`;
  line(`cache:      ${s.path}`);
  line(`schema:     v${s.schemaVersion}`);
  line(`artifacts:  ${s.artifacts}`);
  line(`uris:       ${s.uris}`);
  line(`bundles:    ${s.bundles}`);
  line(`raw:        ${bytes(s.rawBytes)}`);
  line(`stored:     ${bytes(s.storedBytes)}`);
  line(`pinned:     ${bytes(s.pinnedBytes)}`);
  line(`cap:        ${bytes(s.maxBytes)}`);
  if (remotes.length === 0) return;
  line("remotes:");
  out(
    table(
      ["REMOTE", "HITS", "MISSES", "IN", "OUT", "UPLOADS", "ERRORS", "QUARANTINED"],
      remotes.map((r) => [
        r.remote,
        String(r.hits),
        String(r.misses),
        formatBytes(r.bytesIn),
        formatBytes(r.bytesOut),
        String(r.uploads),
        String(r.errors),
        String(r.quarantined),
      ]),
      [1, 2, 3, 4, 5, 6, 7],
    ).trimEnd().replace(/^/gm, "  ") + "\n",
  );
}
