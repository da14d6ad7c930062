/** `sqlink bundle delete NAME`: remove a bundle; its blobs become evictable again. */
import { deleteBundle, type DeleteOutcome } from "../../lib/bundle/registry.ts";
import { openCas } from "../../lib/cas/service.ts";
import { cacheRoot } from "../../lib/paths.ts";
import type { CasArgs } from "../options.ts";
import { line, printJson } from "../output.ts";

interface DeleteArgs extends CasArgs {
  name: string;
}

/** What deleting or collecting bundles says; shared by `delete` and `gc`. */
export function reportRemoved(outcome: DeleteOutcome, json: boolean): void {
  if (json) {
    printJson({ ok: true, ...outcome });
    return;
  }
  if (outcome.removed.length === 0) {
    line("No bundle removed.");
    return;
  }
  for (const bundle of outcome.removed) {
    line(`deleted bundle "${bundle.name}" (set ${bundle.setHash.slice(0, 12)})`);
  }
  for (const dir of outcome.removedBuilds) line(`removed builds in ${dir}`);
}

/** Run the command with its parsed arguments. */
export function deleteCmd(argv: DeleteArgs): void {
  reportRemoved(
    deleteBundle(openCas({ cas: argv.cas }), String(argv.name), cacheRoot()),
    argv.json,
  );
}
