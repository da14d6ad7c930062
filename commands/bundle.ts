/** `sqlink bundle …`: saved extension sets, for people and scripts (SPEC §6.3). */
// @ts-types="@types/yargs"
import type { CommandModule } from "yargs";
import { casOptions } from "./cas.ts";
import { buildCommand } from "./bundle/build.ts";
import { deleteCommand } from "./bundle/delete.ts";
import { gcCommand } from "./bundle/gc.ts";
import { listCommand } from "./bundle/list.ts";
import { pullCommand } from "./bundle/pull.ts";
import { pushCommand } from "./bundle/push.ts";
import { saveCommand } from "./bundle/save.ts";
import { showCommand } from "./bundle/show.ts";

/** The `bundle` command group. */
export const bundleCommand: CommandModule = {
  command: "bundle",
  describe: "Save, list, show, delete and bake bundles: named sets of extensions",
  builder: (y) =>
    casOptions(y)
      .command(saveCommand)
      .command(listCommand)
      .command(showCommand)
      .command(deleteCommand)
      .command(gcCommand)
      .command(buildCommand)
      .command(pushCommand)
      .command(pullCommand)
      .demandCommand(
        1,
        "Name a bundle subcommand: save, list, show, delete, gc, build, push or pull",
      ),
  handler: () => {},
};
