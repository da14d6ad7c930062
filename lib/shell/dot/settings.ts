/**
 * Dot-commands that flip a setting: `.bail .changes .echo .eqp .explain .headers
 * .nullvalue .separator .timer .width .prompt .show`, with sqlite3's usage messages.
 */
import { booleanValue, clip19, intValue } from "../arg_values.ts";
import { cStringText } from "../format/values.ts";
import type { DotCommand, DotContext, DotStatus } from "./registry.ts";

/** A `.NAME on|off` command that sets one boolean of the state. */
function toggle(
  name: string,
  summary: string,
  set: (ctx: DotContext, on: boolean) => void,
  minPrefix = 1,
): DotCommand {
  return {
    name,
    args: "on|off",
    summary,
    minPrefix,
    run(ctx, args) {
      if (args.length !== 1) return usage(ctx, `.${name} on|off`);
      set(ctx, parseBoolean(ctx, args[0]));
      return 0;
    },
  };
}

/** Print sqlite3's "Usage: …" line to standard error; status 1. */
export function usage(ctx: DotContext, text: string): DotStatus {
  ctx.state.stderr.write(`Usage: ${text}\n`);
  return 1;
}

/** `booleanValue`, printing its warning for words that are not booleans. */
export function parseBoolean(ctx: DotContext, word: string): boolean {
  const { value, warning } = booleanValue(word);
  if (warning) ctx.state.stderr.write(warning);
  return value !== 0;
}

const SHOW_BOOL = ["off", "on", "trigger", "full"];

/** Settings commands. */
export const settingsCommands: DotCommand[] = [
  toggle("bail", "Stop after hitting an error.  Default OFF", (c, on) => {
    c.state.bail = on;
  }, 3),
  toggle("changes", "Show number of rows changed by SQL", (c, on) => {
    c.state.changes = on;
  }, 3),
  toggle("echo", "Turn command echo on or off", (c, on) => {
    c.state.echo = on;
  }),
  toggle("timer", "Turn SQL timer on or off", (c, on) => {
    c.state.timer = on;
  }, 5),
  // On POSIX, sqlite3's `.binary` only switches stdio modes that do not differ: a no-op.
  toggle("binary", "Turn binary output on or off.  Default OFF", () => {}, 3),
  {
    name: "timeout",
    args: "MS",
    summary: "Try opening locked tables for MS milliseconds",
    minPrefix: 5,
    run(ctx, args) {
      const ms = args.length > 0 ? intValue(args[0]) : 0;
      ctx.state.db.exec(`PRAGMA busy_timeout = ${ms}`);
      return 0;
    },
  },
  {
    name: "headers",
    args: "on|off",
    summary: "Turn display of headers on or off",
    run(ctx, args) {
      if (args.length !== 1) return usage(ctx, ".headers on|off");
      ctx.state.format.headers = parseBoolean(ctx, args[0]);
      ctx.state.format.headerSet = true;
      return 0;
    },
  },
  {
    name: "eqp",
    args: "on|off|full|...",
    summary: "Enable or disable automatic EXPLAIN QUERY PLAN",
    run(ctx, args) {
      if (args.length !== 1) return usage(ctx, ".eqp off|on|trace|trigger|full");
      const word = args[0];
      ctx.state.autoEqp = word === "full" || word === "trigger"
        ? "full"
        : parseBoolean(ctx, word)
        ? "on"
        : "off";
      return 0;
    },
  },
  {
    name: "explain",
    args: "?on|off|auto?",
    summary: "Change the EXPLAIN formatting mode.  Default: auto",
    run(ctx, args) {
      const value = args.length === 0
        ? 1
        : args[0] === "auto"
        ? 99
        : Number(parseBoolean(ctx, args[0]));
      const { state } = ctx;
      if (value === 1 && state.format.mode !== "explain") {
        state.normalMode = state.format.mode;
        state.format.mode = "explain";
        state.autoExplain = false;
      } else if (value === 0) {
        if (state.format.mode === "explain") state.format.mode = state.normalMode;
        state.autoExplain = false;
      } else if (value === 99) {
        if (state.format.mode === "explain") state.format.mode = state.normalMode;
        state.autoExplain = true;
      }
      return 0;
    },
  },
  {
    name: "nullvalue",
    args: "STRING",
    summary: "Use STRING in place of NULL values",
    run(ctx, args) {
      if (args.length !== 1) return usage(ctx, ".nullvalue STRING");
      ctx.state.format.nullValue = clip19(args[0]);
      return 0;
    },
  },
  {
    name: "separator",
    args: "COL ?ROW?",
    summary: "Change the column and row separators",
    run(ctx, args) {
      let status: DotStatus = 0;
      if (args.length < 1 || args.length > 2) status = usage(ctx, ".separator COL ?ROW?");
      if (args.length >= 1) ctx.state.format.colSeparator = clip19(args[0]);
      if (args.length >= 2) ctx.state.format.rowSeparator = clip19(args[1]);
      return status;
    },
  },
  {
    name: "width",
    args: "NUM1 NUM2 ...",
    summary: "Set minimum column widths for columnar output",
    run(ctx, args) {
      ctx.state.format.widths = args.map(intValue);
      return 0;
    },
  },
  {
    name: "prompt",
    args: "MAIN CONTINUE",
    summary: "Replace the standard prompts",
    run(ctx, args) {
      if (args.length >= 1) ctx.state.prompt.main = args[0].slice(0, 19);
      if (args.length >= 2) ctx.state.prompt.continuation = args[1].slice(0, 19);
      return 0;
    },
  },
  {
    name: "show",
    args: "",
    summary: "Show the current values for various settings",
    run(ctx, args) {
      if (args.length !== 0) return usage(ctx, ".show");
      const { state } = ctx;
      const f = state.format;
      const row = (label: string, value: string) => `${label.padStart(12)}: ${value}\n`;
      const columnar = ["column", "markdown", "table", "box"].includes(f.mode);
      const mode = columnar
        ? `${f.mode} --wrap ${f.wrap} --wordwrap ${f.wordWrap ? "on" : "off"} --${
          f.quote ? "" : "no"
        }quote`
        : f.mode;
      state.out.write(
        row("echo", SHOW_BOOL[Number(state.echo)]) +
          row("eqp", state.autoEqp) +
          row("explain", f.mode === "explain" ? "on" : state.autoExplain ? "auto" : "off") +
          row("headers", SHOW_BOOL[Number(f.headers)]) +
          row("mode", mode) +
          row("nullvalue", cStringText(f.nullValue)) +
          row("output", state.outFile ?? "stdout") +
          row("colseparator", cStringText(f.colSeparator)) +
          row("rowseparator", cStringText(f.rowSeparator)) +
          row("stats", "off") +
          row("width", f.widths.map((w) => `${w} `).join("")) +
          row("filename", state.dbPath),
      );
      return 0;
    },
  },
];
