/** `sqlink cas put FILE... [--uri URI]`: add files to the cas-cache. */
import { UsageError } from "../../lib/errors.ts";
import { openCas } from "../../lib/cas/service.ts";
import type { PutOutcome } from "../../lib/cas/store.ts";
import { checkUri } from "../../lib/cas/refs.ts";
import { formatBytes } from "../../lib/size.ts";
import type { CasArgs } from "../cas.ts";
import { line, printJson } from "../output.ts";
import { progress } from "../progress.ts";
import { reportEviction } from "./gc.ts";

interface PutArgs extends CasArgs {
  files: string[];
  uri?: string;
}

/** `sqlink cas put`. */
export function put(argv: PutArgs): void {
  const files = argv.files.map(String);
  if (argv.uri !== undefined) {
    checkUri(argv.uri);
    if (files.length !== 1) {
      throw new UsageError(`--uri names one artifact, but ${files.length} files were given`, {
        hint: "Put the files one at a time to give each its own URI",
      });
    }
  }
  const cas = openCas({ cas: argv.cas });
  const bar = progress("put", !argv.json && files.length > 1);
  const outcome: PutOutcome = { results: [] };
  files.forEach((file, i) => {
    const one = cas.putFiles([file], { uri: argv.uri });
    outcome.results.push(...one.results);
    outcome.eviction = one.eviction ?? outcome.eviction;
    bar.update(i + 1, files.length);
  });
  bar.done();
  const rows = outcome.results.map((r, i) => ({ path: files[i], ...r }));
  if (argv.json) {
    printJson({ ok: true, results: rows, eviction: outcome.eviction ?? null });
  } else {
    for (const r of rows) {
      const status = r.created ? "added  " : "present";
      line(
        `${r.blake3}  ${status}  ${formatBytes(r.size).padStart(10)}  ${r.path}${
          r.uri ? `  as ${r.uri}` : ""
        }`,
      );
    }
  }
  if (outcome.eviction) reportEviction(outcome.eviction, { quiet: argv.json });
}
