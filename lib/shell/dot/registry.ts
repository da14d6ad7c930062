/**
 * The one registry of dot-commands. Each command is a small module that registers here;
 * `.help` is built from it, and later issues add `.load`, `.bundle` and `.cas` the same way.
 */
import type { EmbeddedBundle } from "../../bake/embedded.ts";
import type { Launch } from "../../bake/grant.ts";
import type { ExtensionSet } from "../../ext/loaded.ts";
import type { ShellState } from "../state.ts";

/** What a dot-command returns: sqlite3's convention (0 ok, 1 error, 2 quit). */
export type DotStatus = 0 | 1 | 2;

/** What the shell lends a dot-command besides its state. */
export interface ShellHost {
  /** Run text as if it had been read from a file: SQL and dot-commands (`.read`). Returns the error count. */
  runScript(text: string): Promise<number>;
  /** Run SQL with the current output settings; prints errors as sqlite3 does. Returns 0 or 1. */
  execSql(sql: string): Promise<number>;
  /** Replace the current connection (`.open`); throws SqlinkError when the file cannot be opened. */
  openDatabase(path: string, options: { readOnly?: boolean; newFile?: boolean }): void;
  /** The session's loaded extensions (null until the first `.load`). */
  extensions: ExtensionSet | null;
  /** How the shell was started: its arguments and granted capabilities. */
  launch: Launch;
  /** The bundle this program embeds, when it is a baked sqlink. */
  embedded: EmbeddedBundle | null;
  /**
   * Write-through (SPEC §10): hand blobs this session just cached (by BLAKE3) to the remote
   * tier, which the command layer plugs in; undefined where there is none.
   */
  shareBlobs?: (blake3s: string[]) => Promise<void>;
  /**
   * Fetch `.load` names that are no file and not cached but known to the lock file into the
   * cas-cache (SPEC §5), which the command layer plugs in; undefined where there is none.
   */
  fetchNamed?: (names: readonly string[]) => Promise<void>;
}

/** The context a dot-command runs in. */
export interface DotContext {
  state: ShellState;
  host: ShellHost;
}

/** One dot-command. */
export interface DotCommand {
  /** The name without the dot: `tables`. */
  name: string;
  /** The argument synopsis shown by `.help`: `?TABLE?`. */
  args: string;
  /** One line for `.help`. */
  summary: string;
  /** More lines shown by `.help NAME` (commands sqlite3 has show sqlite3's own). */
  details?: string[];
  /** An alias `.help` does not list (`.indices` for `.indexes`). */
  hidden?: boolean;
  /** Shortest accepted abbreviation (sqlite3 accepts prefixes, e.g. `.tab`). Default: 1. */
  minPrefix?: number;
  /** Run with the arguments after the command word, already unquoted. */
  run(ctx: DotContext, args: string[]): DotStatus | Promise<DotStatus>;
}

/** An ordered set of dot-commands, looked up by name or accepted abbreviation. */
export class DotRegistry {
  #commands: DotCommand[] = [];

  /** Add commands (a later command with the same name replaces the earlier). */
  add(...commands: DotCommand[]): this {
    for (const command of commands) {
      this.#commands = this.#commands.filter((c) => c.name !== command.name);
      this.#commands.push(command);
    }
    return this;
  }

  /**
   * The command `word` names: the exact name first, else, as sqlite3 does, the first in
   * alphabetical order that it abbreviates (`.h` is `.headers`).
   */
  find(word: string): DotCommand | undefined {
    const exact = this.#commands.find((c) => c.name === word);
    if (exact) return exact;
    return this.list().find((c) => c.name.startsWith(word) && word.length >= (c.minPrefix ?? 1));
  }

  /** All commands, sorted by name (the order `.help` lists them in, hidden aliases left out by it). */
  list(): DotCommand[] {
    return [...this.#commands].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }
}
