/** `sqlink bundle push NAME`: the members, the manifest and the name, to the read-write remotes. */
import { openCas } from "../../lib/cas/service.ts";
import { SqlinkError } from "../../lib/errors.ts";
import { label } from "../../lib/remote/spec.ts";
import { formatBytes } from "../../lib/size.ts";
import type { CasArgs } from "../options.ts";
import { setExitCode } from "../cli.ts";
import { line, printJson } from "../output.ts";
import { openTier, type RemoteArgs, remoteFlags } from "../remote/tier.ts";

interface PushArgs extends CasArgs, RemoteArgs {
  name: string;
}

/** Run `sqlink bundle push` with its parsed arguments. */
export async function push(argv: PushArgs): Promise<void> {
  const flags = remoteFlags(argv);
  const store = openCas({ cas: argv.cas });
  const tier = await openTier(flags, { strict: true, progress: !argv.json, label: "push" });
  if (!tier || tier.writable.length === 0) {
    throw new SqlinkError("ENOREMOTE", "Cannot push: no read-write remote is configured", {
      hint:
        "Add one with `sqlink remote add NAME URL` (without --read-only), set SQLINK_REMOTE, or give --remote URL",
    });
  }
  const { pushBundle } = await import("../../lib/remote/bundles.ts");
  let pushed;
  try {
    pushed = await pushBundle(tier, store, String(argv.name));
  } finally {
    tier.saveStats(store);
  }
  const failed = [...pushed.members, ...pushed.manifest].some((r) => r.failed > 0);
  const refFailed = pushed.refs.filter((r) => r.failed > 0);
  if (failed) setExitCode(1);
  if (argv.json) {
    printJson({
      ok: !failed,
      bundle: pushed.bundle.name,
      setHash: pushed.bundle.setHash,
      manifestSha256: pushed.manifestSha256,
      members: pushed.members,
      manifest: pushed.manifest,
      refs: pushed.refs,
    });
    return;
  }
  line(
    `bundle "${pushed.bundle.name}": manifest sha256 ${pushed.manifestSha256} (pull with \`sqlink bundle pull ${pushed.bundle.name}\` or by this hash)`,
  );
  for (const r of pushed.members) {
    const named = pushed.refs.find((x) => x.url === r.url);
    line(
      `${label(r)}: ${r.uploaded} member(s) uploaded (${
        formatBytes(r.bytes)
      }), ${r.present} already there${r.failed ? `, ${r.failed} failed` : ""}; ${
        named && named.failed === 0 ? `refs/bundles/${pushed.bundle.name} set` : "name not set"
      }`,
    );
  }
  if (refFailed.length > 0 && !failed) {
    line(
      `the name could not be set on ${refFailed.length} remote(s): pull there by the manifest's SHA-256`,
    );
  }
}
