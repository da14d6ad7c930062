/** `.backup ?DB? FILE` and `.save`: SQLite's online backup. */
import { backupTo as backupDatabase } from "../../sqlite/backup.ts";
import { messageOf } from "../exec.ts";
import type { DotCommand, DotContext, DotStatus } from "./registry.ts";

function backupTo(ctx: DotContext, args: string[]): DotStatus {
  let file: string | null = null;
  let db: string | null = null;
  for (const word of args) {
    if (word.startsWith("-")) {
      const option = word.startsWith("--") ? word.slice(1) : word;
      if (option === "-async") continue;
      ctx.state.stderr.write(`unknown option: ${word}\n`);
      return 1;
    }
    if (file === null) file = word;
    else if (db === null) [db, file] = [file, word];
    else {
      ctx.state.stderr.write("Usage: .backup ?DB? ?OPTIONS? FILENAME\n");
      return 1;
    }
  }
  if (file === null) {
    ctx.state.stderr.write("missing FILENAME argument on .backup\n");
    return 1;
  }
  try {
    backupDatabase(ctx.state.db, file, db ?? "main");
  } catch (error) {
    ctx.state.stderr.write(`Error: ${messageOf(error)}\n`);
    return 1;
  }
  return 0;
}

/** Backup commands. */
export const backupCommands: DotCommand[] = [
  {
    name: "backup",
    args: "?DB? FILE",
    summary: 'Backup DB (default "main") to FILE',
    minPrefix: 3,
    run: backupTo,
  },
  {
    name: "save",
    args: "?DB? FILE",
    summary: "Write database to FILE (an alias for .backup ...)",
    minPrefix: 3,
    run: backupTo,
  },
];
