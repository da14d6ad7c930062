/**
 * sqlink's entry point: it only dispatches. Script commands (`cas`, …) load the command
 * line parser; everything else is the sqlite3-compatible shell, which must start fast, so
 * nothing here imports more than the path it takes.
 */
const SCRIPT_COMMANDS = new Set(["cas", "completion", "--get-yargs-completions"]);

async function main(args: string[]): Promise<number> {
  if (args.length > 0 && SCRIPT_COMMANDS.has(args[0])) {
    const { runCli } = await import("./commands/cli.ts");
    return await runCli(args);
  }
  const { runShell } = await import("./commands/shell.ts");
  return await runShell(args);
}

Deno.exit(await main(Deno.args));
