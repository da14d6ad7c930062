/** `sqlink cas get HASH|URI [-o FILE]`: read an artifact back, verified. */
import { resolve } from "node:path";
import { SqlinkError, UsageError } from "../../lib/errors.ts";
import { openCas } from "../../lib/cas/service.ts";
import type { ArtifactInfo } from "../../lib/cas/artifact.ts";
import type { CasStore } from "../../lib/cas/store.ts";
import type { CasArgs } from "../options.ts";
import { currentOutput, outBytes, printJson } from "../output.ts";
import { progress } from "../progress.ts";
import { openTier, type RemoteArgs, remoteFlags } from "../remote/tier.ts";

interface GetArgs extends CasArgs, RemoteArgs {
  ref: string;
  output?: string;
  quiet: boolean;
}

/** Run the command with its parsed arguments. */
export async function get(argv: GetArgs): Promise<void> {
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
  const bar = progress("get", { enabled: !argv.json && !argv.quiet, unit: "bytes" });
  if (argv.output === undefined) {
    let sent = 0;
    try {
      cas.emit(info, (piece) => {
        outBytes(piece);
        bar.update(sent += piece.length, info.size, "writing to stdout");
      });
    } finally {
      bar.done();
    }
  } else {
    const path = resolve(argv.output);
    try {
      cas.exportTo(
        info,
        path,
        undefined,
        (doing, done, total) => bar.update(done, total, `${doing} ${argv.output}`),
      );
    } finally {
      bar.done();
    }
    if (argv.json) {
      printJson({ ok: true, blake3: info.blake3, sha256: info.sha256, size: info.size, path });
    }
  }
  cas.touch(info.blake3);
}

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
