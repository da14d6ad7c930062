/**
 * `sqlink ext update [NAME]`: each installed extension's source resolved again (a range
 * may now pick a newer version); one that resolves to the same version is left alone, one
 * that changed is fetched and installed in its place. Names are done one by one, so an
 * update that fails leaves the others, and itself, as they were.
 */
import { findInstalled, listInstalled, notInstalled } from "./installed.ts";
import { type InstallOutcome, type InstallTarget, installVariant } from "./install.ts";
import { hostPlatform } from "./platform.ts";
import { fetchVariant, parseSource, resolveSource } from "./source.ts";

/** Update `name`, or every installed extension; returns what each came to. */
export async function updateExtensions(
  target: InstallTarget,
  name?: string,
): Promise<InstallOutcome[]> {
  const db = target.cas.db;
  const names = name === undefined
    ? target.cas.guard(() => listInstalled(db)).map((i) => i.name)
    : [name];
  const outcomes: InstallOutcome[] = [];
  for (const each of names) {
    const current = target.cas.guard(() => findInstalled(db, each));
    if (!current) throw target.cas.guard(() => notInstalled(db, each));
    const resolved = await resolveSource(parseSource(current.source));
    if (
      resolved.version === current.version && resolved.kind === "npm" &&
      target.cas.info(current.blake3)
    ) {
      outcomes.push({ installed: current, previous: current, added: false });
      continue;
    }
    const variant = (await fetchVariant(resolved, hostPlatform(), true))!;
    outcomes.push(installVariant(target, variant, each, current.source, resolved.version));
  }
  return outcomes;
}
