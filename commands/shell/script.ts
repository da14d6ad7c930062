/**
 * Script commands run from the shell's prompt (`.cas …`, `.bundle …`): `sqlink <command> …`
 * itself, with the same parser, subcommands and messages, but its output sent to the
 * shell's current output (so `.once` and `.output` redirect it) and its `error:`/`hint:`
 * lines to the shell's standard error. The command-line parser loads on first use.
 */
import type { DotStatus } from "../../lib/shell/dot/registry.ts";
import type { ShellState } from "../../lib/shell/state.ts";
import type { Launch } from "../../lib/bake/grant.ts";

/** Run `fn` with commands/output.ts writing to the shell's output and error sinks. */
export async function withShellOutput<T>(state: ShellState, fn: () => T | Promise<T>): Promise<T> {
  const { withOutput } = await import("../output.ts");
  return await withOutput({
    out: (text) => state.out.write(text),
    err(text) {
      // What was printed before an error comes first, as on a terminal.
      state.out.flush();
      state.stderr.write(text);
    },
    bytes: (bytes) => state.out.write(bytes),
    // ShellState.stdout and .stderr are the process's own.
    outIsTerminal: () => state.out === state.stdout && Deno.stdout.isTerminal(),
    errIsTerminal: () => Deno.stderr.isTerminal(),
  }, async () => await fn());
}

/**
 * Run `sqlink <args…>` inside the shell, with the session's launch (its grants); 0 when it
 * succeeded, else 1.
 */
export async function runScriptCommand(
  state: ShellState,
  args: string[],
  launch: Launch,
): Promise<DotStatus> {
  const { runCli } = await import("../cli.ts");
  const code = await withShellOutput(state, () => runCli(args, { dotCommand: true, launch }));
  return code === 0 ? 0 : 1;
}
