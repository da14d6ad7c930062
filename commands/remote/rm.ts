/** `sqlink remote rm NAME`: forget a remote. */
// @ts-types="@types/yargs"
import type { CommandModule } from "yargs";
import { removeRemote } from "../../lib/remote/config.ts";
import { label } from "../../lib/remote/spec.ts";
import type { CasArgs } from "../cas.ts";
import { line, printJson } from "../output.ts";
import { remoteJson } from "./ls.ts";

interface RmArgs extends CasArgs {
  name: string;
}

/** The rm subcommand. */
export const rmCommand: CommandModule<CasArgs, RmArgs> = {
  command: "rm <name>",
  describe: "Remove a remote from the config file (nothing on the remote changes)",
  builder: (y) =>
    y.positional("name", {
      type: "string",
      demandOption: true,
      describe: "The remote's name",
    }) as never,
  handler: (argv) => {
    const spec = removeRemote(String(argv.name));
    if (argv.json) printJson({ ok: true, removed: remoteJson(spec) });
    else line(`removed remote ${label(spec)}`);
  },
};
