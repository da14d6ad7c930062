/** `sqlink cas push [REF…|--all]`: upload blobs to the read-write remotes (CI warm-up). */
import { openCas } from "../../lib/cas/service.ts";
import { SqlinkError, UsageError } from "../../lib/errors.ts";
import { formatBytes } from "../../lib/size.ts";
import { label } from "../../lib/remote/spec.ts";
import type { CasArgs } from "../options.ts";
import { setExitCode } from "../cli.ts";
import { line, printJson } from "../output.ts";
import { blobsOf, openTier, type RemoteArgs, remoteFlags } from "../remote/tier.ts";

interface PushArgs extends CasArgs, RemoteArgs {
  refs?: string[];
  all: boolean;
}

/** Run `sqlink cas push` with its parsed arguments. */
export async function push(argv: PushArgs): Promise<void> {
  const refs = (argv.refs ?? []).map(String);
  if (argv.all === (refs.length > 0)) {
    throw new UsageError("Name the blobs to push, or give --all (not both)", {
      hint: "For example `sqlink cas push extension:vec0` or `sqlink cas push --all`",
    });
  }
  const flags = remoteFlags(argv);
  const store = openCas({ cas: argv.cas });
  const keys = argv.all
    ? store.list().map((a) => a.blake3)
    : refs.map((ref) => store.resolve(ref).blake3);
  const tier = await openTier(flags, { strict: true, progress: !argv.json, label: "push" });
  if (!tier || tier.writable.length === 0) {
    throw new SqlinkError("ENOREMOTE", "Cannot push: no read-write remote is configured", {
      hint:
        "Add one with `sqlink remote add NAME URL` (without --read-only), set SQLINK_REMOTE, or give --remote URL",
    });
  }
  const blobs = blobsOf(store, keys);
  let reports;
  try {
    reports = await tier.push(store, blobs);
  } finally {
    tier.saveStats(store);
  }
  const failed = reports.some((r) => r.failed > 0);
  if (failed) setExitCode(1);
  if (argv.json) {
    printJson({ ok: !failed, blobs: blobs.length, remotes: reports });
    return;
  }
  for (const r of reports) {
    line(
      `${label(r)}: ${r.uploaded} uploaded (${formatBytes(r.bytes)}), ${r.present} already there${
        r.failed ? `, ${r.failed} failed` : ""
      }`,
    );
  }
}
