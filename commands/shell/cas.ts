/**
 * `.cas …` in the shell: `sqlink cas …` itself (the same parser, subcommands and messages),
 * with its output sent to the shell's current output (so `.once` and `.output` redirect
 * it) and its `error:`/`hint:` lines to the shell's standard error. The command-line
 * parser loads only when `.cas` first runs, so the shell starts as fast without it.
 */
import type { DotCommand } from "../../lib/shell/dot/registry.ts";
import { runScriptCommand } from "./script.ts";

/** The `.cas` dot-command. */
export const casDotCommand: DotCommand = {
  name: "cas",
  args: "SUBCOMMAND ...",
  summary: 'Manage the cas-cache of extension binaries (as "sqlink cas")',
  details: [
    "   Subcommands:",
    "     put FILE... [--uri URI]       Add files to the cache",
    "     get HASH|URI [-o FILE]        Write an artifact to FILE or the output",
    "     ls [--sort created|used|size] [--desc] [--limit N] [--offset N]",
    "     uri set URI REF | rm URI | ls [REF]",
    "     stats                         Counts, sizes and the cap",
    "     gc [--max-bytes N]            Evict unpinned artifacts down to the cap",
    "     verify [--repair]             Re-hash everything; remove what is corrupt",
    "     export BUNDLE -o FILE         Write a bundle and its blobs to one archive file",
    "     import FILE [--as NAME]       Add a bundle archive's blobs and bundle, verified first",
    "   Every subcommand takes --json.  See .cas SUBCOMMAND --help",
  ],
  run: (ctx, args) => runScriptCommand(ctx.state, ["cas", ...args], ctx.host.launch),
};
