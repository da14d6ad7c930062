/**
 * The options the script commands share, declared once: the global `--cas` and `--json`, the
 * remote tier's `--remote`/`--no-remote`, and the bake's `--target` and `--grant`. The command
 * groups (cas.ts, bundle.ts, remote.ts) and the tree (cli.ts) all take them from here.
 */
import type { OptionSpec } from "./command_line.ts";

/** The options every script command accepts, before or after its name. */
export interface CasArgs {
  cas?: string;
  json: boolean;
}

/** `--cas` and `--json`, declared once at the top of the command line for every command. */
export const CAS_OPTIONS: Record<string, OptionSpec> = {
  cas: {
    type: "string",
    describe: "The cas-cache file (default: $SQLINK_CAS or <cache dir>/cas.sqlite)",
    global: true,
    complete: "files",
  },
  json: { type: "boolean", describe: "Print JSON", global: true },
};

/**
 * `--remote URL|NAME` (repeatable) and `--no-remote`: the remote tier (SPEC §10), on every
 * command that reads or writes blobs. Only declared here; commands/remote/tier.ts reads them.
 */
export const REMOTE_OPTIONS: Record<string, OptionSpec> = {
  remote: {
    type: "string",
    array: true,
    describe:
      "Use this remote (a URL, URL|read-only, or a configured name) instead of $SQLINK_REMOTE and the config",
  },
  "no-remote": { type: "boolean", describe: "Use no remote (not $SQLINK_REMOTE, not the config)" },
};

/** `--target`: what bakes for another machine (bundle build, compose). */
export const TARGET = {
  type: "string",
  describe: "Target triple (default: this machine's)",
  complete: "targets",
} as const;

/**
 * `--grant spawn-build`: taken off the command line before it is parsed (takeGrants, so it
 * may come anywhere); declared where it matters, for help and completion.
 */
export const GRANT = {
  type: "string",
  choices: ["spawn-build"],
  describe: "Grant a capability to this run: spawn-build (baking spawns deno compile)",
} as const;
