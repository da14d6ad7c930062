/** `sqlink cas put FILE... [--uri URI]`: add files to the cas-cache. */
import { UsageError } from "../../lib/errors.ts";
import { openCas } from "../../lib/cas/service.ts";
import type { PutOutcome } from "../../lib/cas/store.ts";
import { checkUri } from "../../lib/cas/refs.ts";
import { formatBytes } from "../../lib/size.ts";
import type { CasArgs } from "../options.ts";
import { line, printJson } from "../output.ts";
import { progress } from "../progress.ts";
import { reportEviction } from "./gc.ts";
import { type RemoteArgs, remoteFlags, writeThrough } from "../remote/tier.ts";

interface PutArgs extends CasArgs, RemoteArgs {
  files: string[];
  uri?: string;
  quiet: boolean;
}

/** A file's size for the progress total (0 when unreadable: putting it reports why). */
function sizeOf(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
}

function basename(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** `sqlink cas put`. */
export async function put(argv: PutArgs): Promise<void> {
  const files = argv.files.map(String);
  const flags = remoteFlags(argv);
  if (argv.uri !== undefined) {
    checkUri(argv.uri);
    if (files.length !== 1) {
      throw new UsageError(`--uri names one artifact, but ${files.length} files were given`, {
        hint: "Put the files one at a time to give each its own URI",
      });
    }
  }
  const cas = openCas({ cas: argv.cas });
  const bar = progress("put", { enabled: !argv.json && !argv.quiet, unit: "bytes" });
  const outcome: PutOutcome = { results: [] };
  const sizes = files.map(sizeOf);
  const total = sizes.reduce((a, b) => a + b, 0);
  let before = 0;
  try {
    files.forEach((file, i) => {
      const name = basename(file);
      const one = cas.putFiles([file], {
        uri: argv.uri,
        progress: (doing, done) => bar.update(before + done, total, `${doing} ${name}`),
      });
      outcome.results.push(...one.results);
      outcome.eviction = one.eviction ?? outcome.eviction;
      before += sizes[i];
      bar.update(before, total, `stored ${name}`);
    });
  } finally {
    bar.done();
  }
  // Write-through: the team's remotes get what was put before the command ends.
  const remotes = await writeThrough(cas, flags, outcome.results.map((r) => r.blake3));
  const rows = outcome.results.map((r, i) => ({ path: files[i], ...r }));
  if (argv.json) {
    printJson({ ok: true, results: rows, eviction: outcome.eviction ?? null, remotes });
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
