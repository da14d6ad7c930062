/** `sqlink cas get HASH|URI [-o FILE]`: read an artifact back, verified. */
// @ts-types="@types/yargs"
import type { CommandModule } from "yargs";
import { resolve } from "node:path";
import { SqlinkError, UsageError } from "../../lib/errors.ts";
import { openCas } from "../../lib/cas/service.ts";
import type { ArtifactInfo } from "../../lib/cas/artifact.ts";
import type { CasStore } from "../../lib/cas/store.ts";
import type { CasArgs } from "../cas.ts";
import { currentOutput, outBytes, printJson } from "../output.ts";
import { openTier, type RemoteArgs, remoteFlags, remoteOptions } from "../remote_tier.ts";

interface GetArgs extends CasArgs, RemoteArgs {
  ref: string;
  output?: string;
}

/** The get subcommand. */
export const getCommand: CommandModule<CasArgs, GetArgs> = {
  command: "get <ref>",
  describe: "Write an artifact's bytes to a file or stdout (re-hashed before use)",
  builder: (y) =>
    remoteOptions(y).positional("ref", {
      type: "string",
      demandOption: true,
      describe: "A BLAKE3 or SHA-256 hash, blake3:/sha256:<hex>, a unique prefix (≥4), or a URI",
    })
      .option("output", {
        alias: "o",
        type: "string",
        requiresArg: true,
        describe: "Write to FILE",
      })
      .example("sqlink cas get extension:vec0 -o vec0.so", "Restore a file by its URI") as never,
  handler: async (argv) => {
    const ref = String(argv.ref);
    if (argv.output === undefined && argv.json) {
      throw new UsageError("--json describes the written file, so it needs -o FILE", {
        hint: "Add -o FILE, or drop --json to write the bytes to stdout",
      });
    }
    if (argv.output === undefined && currentOutput().outIsTerminal()) {
      throw new SqlinkError("ETTY", "Refusing to write binary data to the terminal", {
        hint: "Add -o FILE, or redirect stdout to a file",
        exitCode: 2,
      });
    }
    const cas = openCas({ cas: argv.cas });
    const info = await resolveThrough(cas, ref, argv);
    if (argv.output === undefined) {
      cas.emit(info, outBytes);
    } else {
      const path = resolve(argv.output);
      cas.exportTo(info, path);
      if (argv.json) {
        printJson({ ok: true, blake3: info.blake3, sha256: info.sha256, size: info.size, path });
      }
    }
    cas.touch(info.blake3);
  },
};

/**
 * Resolve `ref` locally; on a miss, ask the remotes (read-through, SPEC §10) when the
 * reference names a blob they can hold, and resolve the promoted copy.
 */
async function resolveThrough(cas: CasStore, ref: string, argv: RemoteArgs): Promise<ArtifactInfo> {
  try {
    return cas.resolve(ref);
  } catch (err) {
    if (!(err instanceof SqlinkError) || err.code !== "ENOTFOUND") throw err;
    const { wantFor } = await import("../../lib/remote/readthrough.ts");
    const want = wantFor(cas, ref);
    if (!want) throw err;
    const tier = await openTier(remoteFlags(argv), { progress: true, label: "download" });
    if (!tier) throw err;
    try {
      const [got] = await tier.fetch(cas, [want]);
      if (!got.blake3) throw err;
      return cas.resolve(got.blake3);
    } finally {
      tier.saveStats(cas);
    }
  }
}
