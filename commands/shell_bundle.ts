/**
 * `.bundle …` in the shell (SPEC §6.3). `save` snapshots this session's loaded extensions;
 * `list`, `show`, `delete` and `gc` are `sqlink bundle …` itself, run through the shell's
 * output.
 */
import type { DotCommand } from "../lib/shell/dot/registry.ts";
import { runScriptCommand, withShellOutput } from "./shell_script.ts";

/** `.bundle save NAME [--no-build] [--json]`: the loaded extensions, in load order. */
async function save(args: string[], ctx: Parameters<DotCommand["run"]>[0]): Promise<0 | 1> {
  const flags = new Set(args.filter((a) => a.startsWith("--")));
  const names = args.filter((a) => !a.startsWith("--"));
  const unknown = [...flags].filter((f) => f !== "--no-build" && f !== "--json");
  if (names.length !== 1 || unknown.length > 0) {
    ctx.state.stderr.write(
      unknown.length > 0
        ? `Error: unknown option ${
          unknown[0]
        } for .bundle save\nUsage: .bundle save NAME [--no-build] [--json]\n`
        : "Usage: .bundle save NAME [--no-build] [--json]\n",
    );
    return 1;
  }
  const set = ctx.host.extensions;
  if (!set || set.members.length === 0) {
    ctx.state.stderr.write(
      "Error: Cannot save a bundle: no extensions are loaded in this session\n" +
        "hint: Load extensions with .load FILE (or start sqlink with --load FILE) first\n",
    );
    return 1;
  }
  const [{ saveSet, reportSave }, { openCas }] = await Promise.all([
    import("./bundle/save.ts"),
    import("../lib/cas/service.ts"),
  ]);
  const outcome = saveSet(openCas(), names[0], set);
  await withShellOutput(ctx.state, () => reportSave(outcome, flags.has("--json")));
  return 0;
}

/** The `.bundle` dot-command. */
export const bundleDotCommand: DotCommand = {
  name: "bundle",
  args: "SUBCOMMAND ...",
  summary: "Save and manage bundles: named sets of extensions",
  details: [
    "   Subcommands:",
    "     save NAME [--no-build]       Save the loaded extensions as bundle NAME",
    "     list                         Bundles: name, hash, members, binaries, last use",
    "     show NAME|HASH               Members in load order, binaries",
    "     delete NAME                  Remove a bundle (its blobs become evictable)",
    "     gc --keep N | --older-than 30d   Drop old bundles and their builds",
    "   Every subcommand takes --json.  Start sqlink with --bundle NAME to load one.",
  ],
  run(ctx, args) {
    if (args[0] === "save") return save(args.slice(1), ctx);
    return runScriptCommand(ctx.state, ["bundle", ...args]);
  },
};
