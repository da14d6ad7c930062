/** `sqlink lock [BUNDLE…]`: write or update the lock file. */
import { openCas } from "../../lib/cas/service.ts";
import { listBundles } from "../../lib/bundle/registry.ts";
import { LOCK_FILE, parseLock, platformSets, serializeLock } from "../../lib/lock/format.ts";
import { readLockText, writeLockText } from "../../lib/lock/file.ts";
import { updateLock } from "../../lib/lock/resolve.ts";
import type { CasArgs } from "../options.ts";
import { line, printJson } from "../output.ts";

interface LockArgs extends CasArgs {
  bundles?: string[];
  lock?: string;
}

/** Run `sqlink lock`. */
export async function lock(argv: LockArgs): Promise<void> {
  const path = argv.lock ?? LOCK_FILE;
  const text = readLockText(path);
  const existing = text === undefined ? undefined : parseLock(text, path);
  const cas = openCas({ cas: argv.cas });
  const names = (argv.bundles ?? []).map(String);
  const updated = await updateLock(cas, existing, names, () => listBundles(cas).map((b) => b.name));
  const next = serializeLock(updated);
  const changed = next !== text;
  if (changed) writeLockText(path, next);
  if (argv.json) {
    printJson({ ok: true, file: path, changed, lock: JSON.parse(next) });
    return;
  }
  for (const [name, bundle] of Object.entries(updated.bundles)) {
    const sets = Object.keys(platformSets(bundle));
    line(
      `${name}: ${
        bundle.members.map((m) => `${m.name}@${m.version ?? "pinned"}`).join(", ")
      }; complete for ${sets.length > 0 ? sets.join(", ") : "no platform"}`,
    );
  }
  line(changed ? `wrote ${path}` : `${path} is up to date`);
}
