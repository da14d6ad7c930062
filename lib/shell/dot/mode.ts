/** `.mode`: the command around the formatter's `applyModeCommand`. */
import { applyModeCommand } from "../format/mode.ts";
import type { DotCommand } from "./registry.ts";

/** The `.mode` command. */
export const modeCommand: DotCommand = {
  name: "mode",
  args: "MODE ?OPTIONS?",
  summary: "Set output mode",
  details: [
    "   MODE is one of:",
    "     ascii       Columns/rows delimited by 0x1F and 0x1E",
    "     box         Tables using unicode box-drawing characters",
    "     csv         Comma-separated values",
    "     column      Output in columns.  (See .width)",
    "     html        HTML <table> code",
    "     insert      SQL insert statements for TABLE",
    "     json        Results in a JSON array",
    "     line        One value per line",
    '     list        Values delimited by "|"',
    "     markdown    Markdown table format",
    '     qbox        Shorthand for "box --wrap 60 --quote"',
    "     quote       Escape answers as for SQL",
    "     table       ASCII-art table",
    "     tabs        Tab-separated values",
    "     tcl         TCL list elements",
  ],
  run(ctx, args) {
    const result = applyModeCommand(ctx.state.format, args);
    ctx.state.format = result.settings;
    if (result.stdout) ctx.state.out.write(result.stdout);
    if (result.stderr) ctx.state.stderr.write(result.stderr);
    return result.status;
  },
};
