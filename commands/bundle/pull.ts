/** `sqlink bundle pull NAME|MANIFEST-SHA256 [--as NAME]`: a bundle from the remotes, verified. */
import { openCas } from "../../lib/cas/service.ts";
import { checkBundleName } from "../../lib/bundle/registry.ts";
import { SqlinkError } from "../../lib/errors.ts";
import { label } from "../../lib/remote/spec.ts";
import { formatBytes } from "../../lib/size.ts";
import type { CasArgs } from "../options.ts";
import { line, out, printJson, table } from "../output.ts";
import { openTier, type RemoteArgs, remoteFlags } from "../remote/tier.ts";

interface PullArgs extends CasArgs, RemoteArgs {
  ref: string;
  as?: string;
}

/** Run `sqlink bundle pull` with its parsed arguments. */
export async function pull(argv: PullArgs): Promise<void> {
  const as = argv.as === undefined ? undefined : checkBundleName(argv.as);
  const flags = remoteFlags(argv);
  const store = openCas({ cas: argv.cas });
  const tier = await openTier(flags, { strict: true, progress: !argv.json, label: "pull" });
  if (!tier) {
    throw new SqlinkError("ENOREMOTE", "Cannot pull: no remote is configured", {
      hint: "Add one with `sqlink remote add NAME URL`, set SQLINK_REMOTE, or give --remote URL",
    });
  }
  const { pullBundle } = await import("../../lib/remote/bundles.ts");
  let pulled;
  try {
    pulled = await pullBundle(tier, store, String(argv.ref), { as });
  } finally {
    tier.saveStats(store);
  }
  const { bundle } = pulled;
  if (argv.json) {
    printJson({
      ok: true,
      bundle: bundle.name,
      setHash: bundle.setHash,
      created: pulled.created,
      manifestSha256: pulled.manifestSha256,
      from: pulled.from,
      members: pulled.members,
    });
    return;
  }
  const fetched = pulled.members.filter((m) => m.fetched).length;
  line(
    `${pulled.created ? "pulled" : "already had"} bundle "${bundle.name}" (set ${
      bundle.setHash.slice(0, 16)
    }…) from ${label(pulled.from)}: ${fetched} member(s) fetched, ${
      pulled.members.length - fetched
    } already here`,
  );
  out(table(
    ["NAME", "BLAKE3", "SIZE", "BLOB"],
    pulled.members.map((m) => [
      m.name,
      m.blake3.slice(0, 16),
      formatBytes(m.size),
      m.fetched ? "fetched" : "present",
    ]),
    [2],
  ));
}
