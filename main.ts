/**
 * sqlink's entry point: it only dispatches. Script commands (`cas`, …) load the command
 * line parser; everything else belongs to the shell, which must start fast, so nothing
 * here imports more than it uses.
 */
const SCRIPT_COMMANDS = new Set(["cas", "completion", "--get-yargs-completions"]);

async function main(args: string[]): Promise<number> {
  if (args.length > 0 && SCRIPT_COMMANDS.has(args[0])) {
    const { runCli } = await import("./commands/cli.ts");
    return await runCli(args);
  }
  const { runTopLevel } = await import("./commands/top.ts");
  return runTopLevel(args);
}

Deno.exit(await main(Deno.args));
