/** `sqlink ext rm NAME`: forget an installed extension; its blob stays (evictable). */
import { openCas } from "../../lib/cas/service.ts";
import { uninstallExtension } from "../../lib/install/uninstall.ts";
import type { CasArgs } from "../options.ts";
import { line, printJson } from "../output.ts";
import { installedJson } from "./ls.ts";

interface RmArgs extends CasArgs {
  name: string;
}

/** Run `sqlink ext rm`. */
export function rm(argv: RmArgs): void {
  const removed = uninstallExtension(openCas({ cas: argv.cas }), String(argv.name));
  if (argv.json) {
    printJson({ ok: true, removed: installedJson(removed) });
    return;
  }
  line(`removed ${removed.name} (${removed.origin}); its blob stays in the cache until evicted`);
}
