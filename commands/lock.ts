/**
 * `sqlink lock [BUNDLE…]` and `sqlink sync [--frozen]`: the lock file (SPEC §5), declared
 * here; their code loads when named.
 */
import type { CommandSpec } from "./command_line.ts";
import { REMOTE_OPTIONS } from "./options.ts";

/** `--lock FILE`: which lock file (default ./sqlink.lock). */
const LOCK_OPTION = {
  lock: {
    type: "string",
    describe: "The lock file (default: sqlink.lock in the working directory)",
    complete: "files",
  },
} as const;

/** The `lock` command. */
export const lockCommand: CommandSpec = {
  name: "lock",
  args: "[bundles..]",
  describe:
    "Write or update sqlink.lock: each bundle's members with every platform's hashes, resolved from their sources",
  positionals: {
    bundles: {
      describe: "Saved bundles (default: those in the lock, else all)",
      complete: "bundles",
    },
  },
  options: LOCK_OPTION,
  examples: [["sqlink lock explore", "Lock bundle explore for every platform its members have"]],
  run: async (argv) => (await import("./lock/lock.ts")).lock(argv as never),
};

/** The `sync` command. */
export const syncCommand: CommandSpec = {
  name: "sync",
  describe:
    "Make this machine match sqlink.lock: each member from the cache, the remotes or its origin, checked against the lock",
  options: {
    frozen: { type: "boolean", default: false, describe: "Fail when the lock would change (CI)" },
    ...LOCK_OPTION,
    ...REMOTE_OPTIONS,
  },
  examples: [["sqlink sync --frozen", "In CI: install exactly what the lock says"]],
  run: async (argv) => (await import("./lock/sync.ts")).sync(argv as never),
};
