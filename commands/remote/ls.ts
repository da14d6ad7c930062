/** `sqlink remote ls`: the remotes in effect and where they come from, credentials masked. */
import { configPath, remotesInEffect } from "../../lib/remote/config.ts";
import { displayUrl, type RemoteSpec } from "../../lib/remote/spec.ts";
import type { CasArgs } from "../options.ts";
import { line, out, printJson, table } from "../output.ts";
import { type RemoteArgs, remoteFlags } from "./tier.ts";

/** A remote as `--json` shows it: never its credentials. */
export function remoteJson(spec: RemoteSpec): Record<string, unknown> {
  return {
    name: spec.name ?? null,
    url: displayUrl(spec),
    readOnly: spec.readOnly,
    connectTimeoutMs: spec.connectTimeoutMs,
    operationTimeoutMs: spec.operationTimeoutMs,
  };
}

const SOURCES = {
  none: "--no-remote",
  flag: "--remote",
  env: "SQLINK_REMOTE",
  config: "the config file",
};

/** Run `sqlink remote ls` with its parsed arguments. */
export function ls(argv: CasArgs & RemoteArgs): void {
  const { remotes, source } = remotesInEffect(remoteFlags(argv));
  const config = configPath();
  if (argv.json) {
    printJson({ ok: true, source, config, remotes: remotes.map(remoteJson) });
    return;
  }
  if (remotes.length === 0) {
    line(
      source === "config"
        ? `no remotes configured (${config}); add one with \`sqlink remote add NAME URL\``
        : `no remotes (${SOURCES[source]})`,
    );
    return;
  }
  out(table(
    ["NAME", "URL", "MODE"],
    remotes.map((r) => [r.name ?? "-", displayUrl(r), r.readOnly ? "read-only" : "read-write"]),
  ));
  if (source !== "config") line(`(from ${SOURCES[source]}, which overrides ${config})`);
}
