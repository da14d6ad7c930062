/** `sqlink sync [--frozen]`: make this machine match the lock file. */
import { openCas } from "../../lib/cas/service.ts";
import { LOCK_FILE } from "../../lib/lock/format.ts";
import { syncLock } from "../../lib/lock/sync.ts";
import { cacheRoot, checkCacheRoot } from "../../lib/paths.ts";
import type { CasArgs } from "../options.ts";
import { line, printJson } from "../output.ts";
import { openTier, type RemoteArgs, remoteFlags } from "../remote/tier.ts";

interface SyncArgs extends CasArgs, RemoteArgs {
  frozen: boolean;
  lock?: string;
}

/** Run `sqlink sync`. */
export async function sync(argv: SyncArgs): Promise<void> {
  const flags = remoteFlags(argv);
  checkCacheRoot(cacheRoot());
  const cas = openCas({ cas: argv.cas });
  const path = argv.lock ?? LOCK_FILE;
  const report = await syncLock(cas, {
    path,
    frozen: argv.frozen,
    fetchRemote: async (wants) => {
      const tier = await openTier(flags, { progress: !argv.json, label: "download" });
      if (!tier) return;
      try {
        await tier.fetch(cas, wants);
      } finally {
        tier.saveStats(cas);
      }
    },
  });
  if (argv.json) {
    printJson({ ok: true, file: path, ...report });
    return;
  }
  for (const bundle of report.bundles) {
    const counts = new Map<string, number>();
    for (const m of bundle.members) counts.set(m.from, (counts.get(m.from) ?? 0) + 1);
    const from = [...counts].map(([where, n]) => `${n} from ${where}`).join(", ");
    line(`${bundle.name}: ${bundle.state} (set ${bundle.setHash.slice(0, 12)}; ${from})`);
  }
  if (report.lockWritten) line(`wrote ${path}`);
}
