/** `sqlink` without a script command: version and help (the shell lands in its own module). */
import denoJson from "../deno.json" with { type: "json" };
import { UsageError } from "../lib/errors.ts";
import { line, out, reportError } from "./output.ts";

const HELP = `sqlink ${denoJson.version} — a SQLite shell for people who use extensions

Usage:
  sqlink cas <subcommand> [options]   manage the cache of extension binaries
  sqlink completion                   print a bash/zsh completion script
  sqlink --version | --help

Cache subcommands: put, get, ls, uri set|rm|ls, stats, gc, verify.
Run "sqlink cas --help" or "sqlink cas <subcommand> --help" for details.
`;

/** Handle the arguments that name no script command. */
export function runTopLevel(args: string[]): number {
  const first = args[0];
  if (first === "-version" || first === "--version") {
    line(`sqlink ${denoJson.version}`);
    return 0;
  }
  if (first === undefined || first === "-help" || first === "--help" || first === "-h") {
    out(HELP);
    return 0;
  }
  return reportError(
    new UsageError(`Unknown command "${first}"`, {
      hint: 'Run "sqlink --help" to see the commands',
    }),
  );
}
