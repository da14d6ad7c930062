/** `.limit ?LIMIT? ?VAL?`: sqlite3_limit's run-time limits, shown and changed as sqlite3 does. */
import { intValue } from "../arg_values.ts";
import type { DotCommand, DotContext, DotStatus } from "./registry.ts";

/** SQLITE_LIMIT_* in their code order, which is the order sqlite3 lists them in. */
const LIMITS = [
  "length",
  "sql_length",
  "column",
  "expr_depth",
  "compound_select",
  "vdbe_op",
  "function_arg",
  "attached",
  "like_pattern_length",
  "variable_number",
  "trigger_depth",
  "worker_threads",
];

function line(ctx: DotContext, code: number): string {
  return `${LIMITS[code].padStart(20)} ${ctx.state.db.limit(code, -1)}\n`;
}

function runLimit(ctx: DotContext, args: string[]): DotStatus {
  // sqlite3 prints limits with printf: on standard output even under `.output`.
  const out = ctx.state.stdout;
  if (args.length === 0) {
    out.write(LIMITS.map((_, code) => line(ctx, code)).join(""));
    return 0;
  }
  if (args.length > 2) {
    ctx.state.stderr.write("Usage: .limit NAME ?NEW-VALUE?\n");
    return 1;
  }
  // sqlite3_strnicmp over the word's length: any case-blind prefix names a limit.
  const word = args[0].replace(/[A-Z]/g, (c) => c.toLowerCase());
  const matches = LIMITS.flatMap((name, code) => name.startsWith(word) ? [code] : []);
  if (matches.length > 1) {
    ctx.state.stderr.write(`ambiguous limit: "${args[0]}"\n`);
    return 1;
  }
  if (matches.length === 0) {
    ctx.state.stderr.write(
      `unknown limit: "${args[0]}"\nenter ".limits" with no arguments for a list.\n`,
    );
    return 1;
  }
  if (args.length === 2) ctx.state.db.limit(matches[0], intValue(args[1]));
  out.write(line(ctx, matches[0]));
  return 0;
}

const limit: DotCommand = {
  name: "limit",
  args: "?LIMIT? ?VAL?",
  summary: "Display or change the value of an SQLITE_LIMIT",
  minPrefix: 5,
  run: runLimit,
};

/** `.limit`, and `.limits` as sqlite3 also accepts it. */
export const limitCommands: DotCommand[] = [limit, { ...limit, name: "limits", hidden: true }];
