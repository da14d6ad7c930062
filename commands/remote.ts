/** `sqlink remote …`: the remote caches behind the local one (SPEC §10). */
// @ts-types="@types/yargs"
import type { CommandModule } from "yargs";
import { casOptions } from "./cas.ts";
import { addCommand } from "./remote/add.ts";
import { lsCommand } from "./remote/ls.ts";
import { rmCommand } from "./remote/rm.ts";

/** The `remote` command group. */
export const remoteCommand: CommandModule = {
  command: "remote",
  describe: "Configure remote caches (http(s) or s3) shared by a team",
  builder: (y) =>
    casOptions(y)
      .command(addCommand)
      .command(lsCommand)
      .command(rmCommand)
      .demandCommand(1, "Name a remote subcommand: add, ls or rm"),
  handler: () => {},
};
