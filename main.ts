/**
 * sqlink's entry point: it only dispatches. Everything but the script commands (`cas`, `bundle`, …)
 * is the sqlite3-compatible shell, whose start-up is part of the product: it is imported
 * statically (a dynamic import costs ~1.5 ms more) and loads the rest of itself on demand;
 * script commands load their command-line parser only when named.
 */
import { runShell } from "./commands/shell.ts";

const SCRIPT_COMMANDS = new Set(["cas", "bundle", "completion", "--get-yargs-completions"]);

async function main(args: string[]): Promise<number> {
  if (args.length > 0 && SCRIPT_COMMANDS.has(args[0])) {
    const { runCli } = await import("./commands/cli.ts");
    return await runCli(args);
  }
  return await runShell(args);
}

Deno.exit(await main(Deno.args));
