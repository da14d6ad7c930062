/**
 * `.ext …` in the shell: `sqlink ext …` itself (add, ls, rm, update), its output sent where
 * the shell's output goes; and the lock-file fetch that `.load NAME` / `--load NAME` use
 * for a name only sqlink.lock knows. Both load their machinery only when used.
 */
import type { DotCommand } from "../../lib/shell/dot/registry.ts";
import { runScriptCommand } from "./script.ts";

/** The `.ext` dot-command. */
export const extDotCommand: DotCommand = {
  name: "ext",
  args: "SUBCOMMAND ...",
  summary: 'Install extensions by name from npm or a pinned URL (as "sqlink ext")',
  details: [
    "   Subcommands:",
    "     add npm:PACKAGE[@RANGE] [--name NAME]   This platform's build, from npm",
    "     add https://…#sha256=<hex> [--name NAME] A pinned download",
    "     ls                                       The installed extensions",
    "     rm NAME                                  Forget one (its blob stays, evictable)",
    "     update [NAME]                            Resolve sources again, install what changed",
    "   Then load one with .load NAME.  See .ext SUBCOMMAND --help",
  ],
  run: (ctx, args) => runScriptCommand(ctx.state, ["ext", ...args], ctx.host.launch),
};

/** Fetch names only ./sqlink.lock knows into the cas-cache before they load. */
export async function fetchNamed(names: readonly string[]): Promise<void> {
  // Names that are files, or that the cache holds, need nothing: decided without loading more.
  if (names.every((name) => /[/\\]/.test(name) || /\.(so|dylib|dll)$/i.test(name))) return;
  const [{ fetchLockedNames }, { openCas }, { LOCK_FILE }] = await Promise.all([
    import("../../lib/lock/named.ts"),
    import("../../lib/cas/service.ts"),
    import("../../lib/lock/format.ts"),
  ]);
  await fetchLockedNames(openCas(), names, LOCK_FILE);
}
