/** `sqlink cas put FILE... [--uri URI]`: add files to the cas-cache. */
// @ts-types="@types/yargs"
import type { CommandModule } from "yargs";
import { UsageError } from "../../lib/errors.ts";
import { openCas } from "../../lib/cas/service.ts";
import type { PutOutcome } from "../../lib/cas/store.ts";
import { checkUri } from "../../lib/cas/refs.ts";
import { formatBytes } from "../../lib/size.ts";
import type { CasArgs } from "../cas.ts";
import { line, printJson } from "../output.ts";
import { progress } from "../progress.ts";
import { reportEviction } from "./gc.ts";
import { type RemoteArgs, remoteFlags, remoteOptions, writeThrough } from "../remote_tier.ts";

interface PutArgs extends CasArgs, RemoteArgs {
  files: string[];
  uri?: string;
}

/** The put subcommand. */
export const putCommand: CommandModule<CasArgs, PutArgs> = {
  command: "put <files..>",
  describe: "Add files to the cache (the same bytes are stored once)",
  builder: (y) =>
    remoteOptions(y).positional("files", {
      type: "string",
      array: true,
      demandOption: true,
      describe: "Files to add",
    })
      .option("uri", {
        type: "string",
        requiresArg: true,
        describe: "Bind this URI (e.g. extension:vec0) to the file; needs exactly one file",
      })
      .example("sqlink cas put vec0.so --uri extension:vec0", "Add vec0.so and name it") as never,
  handler: async (argv) => {
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
    const bar = progress("put", !argv.json && files.length > 1);
    const outcome: PutOutcome = { results: [] };
    files.forEach((file, i) => {
      const one = cas.putFiles([file], { uri: argv.uri });
      outcome.results.push(...one.results);
      outcome.eviction = one.eviction ?? outcome.eviction;
      bar.update(i + 1, files.length);
    });
    bar.done();
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
  },
};
