/** `.help ?-all? ?PATTERN?`, built from the registry so every command that registers is listed. */
import type { DotCommand, DotRegistry } from "./registry.ts";

function synopsis(command: DotCommand): string {
  const head = command.args ? `.${command.name} ${command.args}` : `.${command.name}`;
  return head.length < 21 ? `${head.padEnd(21)}${command.summary}` : `${head}  ${command.summary}`;
}

/** The `.help` command over `registry`. */
export function helpCommand(registry: DotRegistry): DotCommand {
  return {
    name: "help",
    args: "?-all? ?PATTERN?",
    summary: "Show help text for PATTERN",
    run(ctx, args) {
      const all = args[0] === "-all" || args[0] === "--all";
      const pattern = all ? args[1] : args[0];
      const commands = registry.list().filter((c) => !c.hidden);
      const lines: string[] = [];
      if (pattern === undefined) {
        for (const c of commands) {
          lines.push(synopsis(c));
          if (all) lines.push(...(c.details ?? []));
        }
      } else {
        const matches = commands.filter((c) => c.name.startsWith(pattern.replace(/^\./, "")));
        for (const c of matches) lines.push(synopsis(c), ...(c.details ?? []));
        if (matches.length === 0) {
          ctx.state.out.write(`Nothing matches '${pattern}'\n`);
          return 0;
        }
      }
      ctx.state.out.write(lines.map((l) => l + "\n").join(""));
      return 0;
    },
  };
}
