/** `sqlink cas stats`: what the cache holds and where. */
import { openCas } from "../../lib/cas/service.ts";
import { formatBytes } from "../../lib/size.ts";
import type { CasArgs } from "../cas.ts";
import { line, printJson } from "../output.ts";

/** Run the command with its parsed arguments. */
export function stats(argv: CasArgs): void {
  const s = openCas({ cas: argv.cas }).stats();
  if (argv.json) {
    printJson({ ok: true, ...s });
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
}
