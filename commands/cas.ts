/** `sqlink cas …`: the cas-cache from the command line, for people and CI warm-up scripts. */
// @ts-types="@types/yargs"
import type { Argv, CommandModule } from "yargs";
import { exportCommand } from "./cas/export.ts";
import { getCommand } from "./cas/get.ts";
import { gcCommand } from "./cas/gc.ts";
import { importCommand } from "./cas/import.ts";
import { lsCommand } from "./cas/ls.ts";
import { pullCommand } from "./cas/pull.ts";
import { pushCommand } from "./cas/push.ts";
import { putCommand } from "./cas/put.ts";
import { statsCommand } from "./cas/stats.ts";
import { uriCommand } from "./cas/uri.ts";
import { verifyCommand } from "./cas/verify.ts";

/** The options every `cas` subcommand accepts. */
export interface CasArgs {
  cas?: string;
  json: boolean;
}

/** Declare `--cas` and `--json` for a command and everything below it. */
export function casOptions<T>(y: Argv<T>): Argv<T & CasArgs> {
  return y
    .option("cas", {
      type: "string",
      describe: "The cas-cache file (default: $SQLINK_CAS or <cache dir>/cas.sqlite)",
      global: true,
      requiresArg: true,
    })
    .option("json", { type: "boolean", default: false, describe: "Print JSON", global: true });
}

/** The `cas` command group. */
export const casCommand: CommandModule = {
  command: "cas",
  describe: "Manage the content-addressed cache of extension binaries",
  builder: (y) =>
    casOptions(y)
      .command(putCommand)
      .command(getCommand)
      .command(lsCommand)
      .command(uriCommand)
      .command(statsCommand)
      .command(gcCommand)
      .command(verifyCommand)
      .command(exportCommand)
      .command(importCommand)
      .command(pushCommand)
      .command(pullCommand)
      .demandCommand(
        1,
        "Name a cas subcommand: put, get, ls, uri, stats, gc, verify, export, import, push or pull",
      ),
  handler: () => {},
};
