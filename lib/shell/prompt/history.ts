/**
 * The prompt's history file: one entry per line, oldest first, the last 2000 kept (as
 * sqlite3 does). Saving appends this session's lines to what the file holds by then, so two
 * shells that exit one after the other both keep their lines, and replaces the file through
 * a temporary file so an interrupted save never leaves it half written.
 */
import { basename, dirname, join } from "node:path";
import { historyPath } from "../../paths.ts";

/** How many entries the history keeps (sqlite3's `stifle_history(2000)`). */
export const HISTORY_LIMIT = 2000;

/** The history file: `SQLINK_HISTORY`, else `~/.sqlink_history`; null when there is no home. */
export function defaultHistoryPath(): string | null {
  try {
    return historyPath();
  } catch {
    return null;
  }
}

/** The entries of the history file at `path`, oldest first; none when it cannot be read. */
export async function loadHistory(path: string, limit = HISTORY_LIMIT): Promise<string[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return [];
  }
  const lines = text.split("\n").map((line) => line.endsWith("\r") ? line.slice(0, -1) : line)
    .filter((line) => line.trim() !== "");
  return lines.slice(-limit);
}

/**
 * Add `line` to `history` as the prompt does: not when it is blank, and not twice in a row.
 * Returns whether it was added.
 */
export function addHistoryEntry(history: string[], line: string): boolean {
  if (line.trim() === "" || line.includes("\n") || history.at(-1) === line) return false;
  history.push(line);
  return true;
}

/**
 * Append `entries` to the history file at `path`, keeping the last `limit`, written with
 * mode 0600. Returns false when the file cannot be written (the caller carries on without).
 */
export async function saveHistory(
  path: string,
  entries: readonly string[],
  limit = HISTORY_LIMIT,
): Promise<boolean> {
  if (entries.length === 0) return true;
  const target = await resolveLink(path);
  const history = await loadHistory(target, Infinity);
  for (const entry of entries) addHistoryEntry(history, entry);
  const text = history.slice(-limit).map((line) => `${line}\n`).join("");
  const temp = join(
    dirname(target),
    `.${basename(target)}.${crypto.randomUUID().slice(0, 8)}.tmp`,
  );
  try {
    await Deno.writeTextFile(temp, text, { mode: 0o600, createNew: true });
    await Deno.rename(temp, target);
    return true;
  } catch {
    await Deno.remove(temp).catch(() => {});
  }
  // A directory we cannot create files in may still hold a history file we can write.
  try {
    await Deno.writeTextFile(target, text, { mode: 0o600, create: false });
    return true;
  } catch {
    return false;
  }
}

/** Saving through a symbolic link replaces the file it points to, not the link. */
async function resolveLink(path: string): Promise<string> {
  try {
    return await Deno.realPath(path);
  } catch {
    return path;
  }
}
