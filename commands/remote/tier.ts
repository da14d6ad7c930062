/**
 * The remote tier as commands use it (SPEC §10): `--remote URL|NAME` and `--no-remote` on
 * every command that reads or writes blobs, the tier they open (its machinery loaded only
 * when a remote is in effect), warnings on stderr, and a transfer progress line on a
 * terminal.
 */
import type { CasStore } from "../../lib/cas/store.ts";
import { type Bundle, memberSha256s, type NewMember } from "../../lib/bundle/registry.ts";
import { SqlinkError, UsageError } from "../../lib/errors.ts";
import { type RemoteFlags, remotesInEffect } from "../../lib/remote/config.ts";
import type { Have, PushedTo, RemoteTier } from "../../lib/remote/tier.ts";
import { formatBytes } from "../../lib/size.ts";
import { currentOutput, note } from "../output.ts";

/** `--remote` and `--no-remote` as parsed (declared in commands/options.ts, REMOTE_OPTIONS). */
export interface RemoteArgs {
  remote?: string[];
  "no-remote"?: boolean;
}

/**
 * What `--remote`/`--no-remote` said, checked against the environment and the config file
 * at once: a malformed remote is a usage error before any work, not after it.
 */
export function remoteFlags(argv: RemoteArgs): RemoteFlags {
  const noRemote = argv["no-remote"] === true;
  const remote = (argv.remote ?? []).map(String);
  if (noRemote && remote.length > 0) {
    throw new UsageError("--remote and --no-remote contradict each other", {
      hint: "Give one of them",
    });
  }
  remotesInEffect({ remote, noRemote });
  return { remote, noRemote };
}

/** Write one warning (and its hint) on stderr. */
export function warn(message: string, hint?: string): void {
  note(`warning: ${message}`);
  if (hint) note(`hint: ${hint}`);
}

/**
 * The tier for the remotes in effect, or undefined when there are none (nothing of the
 * remote machinery is loaded then). `strict` for commands whose job is the remote.
 */
export async function openTier(
  flags: RemoteFlags,
  options: { strict?: boolean; progress?: boolean; label?: string } = {},
): Promise<RemoteTier | undefined> {
  const { remotes } = remotesInEffect(flags);
  if (remotes.length === 0) return undefined;
  const { openRemotes, RemoteTier } = await import("../../lib/remote/tier.ts");
  const meter = options.progress ? transferMeter(options.label ?? "transfer") : undefined;
  return new RemoteTier(await openRemotes(remotes), {
    warn: (message, hint) => {
      meter?.clear();
      warn(message, hint);
    },
    strict: options.strict,
    onBytes: meter?.add,
  });
}

/** A line of bytes moved and rate on an interactive stderr; nothing when piped. */
function transferMeter(label: string): { add: (n: number) => void; clear: () => void } {
  const streams = currentOutput();
  if (!streams.errIsTerminal()) return { add: () => {}, clear: () => {} };
  const start = Date.now();
  let bytes = 0;
  let last = 0;
  let drawn = false;
  return {
    add(n) {
      bytes += n;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      drawn = true;
      const rate = bytes / Math.max(0.001, (now - start) / 1000);
      streams.err(`\r${label}: ${formatBytes(bytes)} (${formatBytes(rate)}/s)\x1b[K`);
    },
    clear() {
      if (drawn) streams.err("\r\x1b[K");
      drawn = false;
    },
  };
}

/** The blobs named by BLAKE3 key, as the tier pushes them (unknown keys are skipped). */
export function blobsOf(store: CasStore, blake3s: Iterable<string>): Have[] {
  const seen = new Set<string>();
  const blobs: Have[] = [];
  for (const blake3 of blake3s) {
    if (seen.has(blake3)) continue;
    seen.add(blake3);
    const info = store.info(blake3);
    if (info) blobs.push({ blake3, sha256: info.sha256, size: info.size });
  }
  return blobs;
}

/**
 * Write-through (SPEC §10): push blobs that `cas put`, `.load` or `.bundle save` just
 * stored to every read-write remote before the command ends; faults are warnings. Returns
 * what each remote got, or [] without remotes.
 */
export async function writeThrough(
  store: CasStore,
  flags: RemoteFlags,
  blake3s: Iterable<string>,
): Promise<PushedTo[]> {
  const blobs = blobsOf(store, blake3s);
  if (blobs.length === 0) return [];
  const tier = await openTier(flags, { progress: true, label: "upload" });
  if (!tier) return [];
  try {
    return await tier.push(store, blobs);
  } finally {
    tier.saveStats(store);
  }
}

/**
 * Read-through for a bundle launch (SPEC §6.4, §10): fetch the members whose blobs the cache
 * lacks from the remotes, each checked against both hashes the bundle recorded. Members
 * the remotes do not have stay missing (the launch names them).
 */
export async function fetchMembers(
  store: CasStore,
  flags: RemoteFlags,
  bundle: Bundle,
  missing: readonly NewMember[],
): Promise<void> {
  const known = memberSha256s(store, bundle);
  const wants = missing.filter((m) => known.has(m.contentHash)).map((m) => ({
    sha256: known.get(m.contentHash)!,
    blake3: m.contentHash,
  }));
  if (wants.length === 0) return;
  const tier = await openTier(flags, { progress: true, label: "download" });
  if (!tier) return;
  try {
    await tier.fetch(store, wants);
  } finally {
    tier.saveStats(store);
  }
}

/** Write-through from the shell (`.load` of a new file, `.bundle save`): faults are warnings. */
export async function shareFromShell(flags: RemoteFlags, blake3s: string[]): Promise<void> {
  const { openCas } = await import("../../lib/cas/service.ts");
  try {
    await writeThrough(openCas(), flags, blake3s);
  } catch (err) {
    // A bad SQLINK_REMOTE or config must not undo a load that worked: say so and go on.
    if (!(err instanceof SqlinkError)) throw err;
    warn(`the remotes were not updated: ${err.message}`, err.hint);
  }
}
