/** `.mode`: the command around the formatter's `applyModeCommand`. */
import { applyModeCommand } from "../format/mode.ts";
import type { DotCommand } from "./registry.ts";

/** The `.mode` command. */
export const modeCommand: DotCommand = {
  name: "mode",
  args: "MODE ?OPTIONS?",
  summary: "Set output mode",
  run(ctx, args) {
    const result = applyModeCommand(ctx.state.format, args);
    ctx.state.format = result.settings;
    if (result.stdout) ctx.state.out.write(result.stdout);
    if (result.stderr) ctx.state.stderr.write(result.stderr);
    return result.status;
  },
};
