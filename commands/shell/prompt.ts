/**
 * The interactive prompt of the shell: the line reader with history and with Tab
 * completion of dot-commands (from the one registry), SQL keywords, and the tables and
 * columns of the open database. Loaded only when a person is typing.
 */
import { completeInput } from "../../lib/shell/prompt/completion.ts";
import { openLineReader } from "../../lib/shell/prompt/line_reader.ts";
import { schemaNames } from "../../lib/shell/prompt/schema_names.ts";
import { readerLines } from "../../lib/shell/lines.ts";
import type { ShellSession } from "../../lib/shell/session.ts";

/** The prompt the input loop reads from. */
export interface Prompt {
  /** True while a statement is being continued (shows the continuation prompt). */
  continuation: boolean;
  /** Set when Ctrl-C dropped the line being typed: the statement being continued goes too. */
  interrupted: boolean;
  /** One line, or null at the end (Ctrl-D). */
  readLine(): Promise<string | null>;
  /** Restore the terminal and save the history. */
  close(): Promise<void>;
}

/** Open the prompt for `session`, keeping history in `historyPath` (null: none). */
export async function openPrompt(
  session: ShellSession,
  historyPath: string | null,
): Promise<Prompt> {
  const { state } = session;
  const registry = await session.registry();
  const dotCommands = registry.list().filter((c) => !c.hidden).map((c) => `.${c.name}`);
  // Reading names must not open (and so create) a database file nobody has used yet.
  const names = () => session.isOpen ? schemaNames(state.db) : { tables: [], columns: [] };
  const reader = await openLineReader({
    historyPath,
    complete: (line) =>
      completeInput(line, {
        dotCommands,
        tables: () => names().tables,
        columns: () => names().columns,
      }),
    onInterrupt: () => {
      prompt.interrupted = true;
      prompt.continuation = false;
      return state.prompt.main;
    },
  });
  const prompt: Prompt = {
    continuation: false,
    interrupted: false,
    readLine: () =>
      reader.readLine(prompt.continuation ? state.prompt.continuation : state.prompt.main),
    close: () => reader.close(),
  };
  return prompt;
}

/**
 * The prompt of `-interactive` when stdin is not a terminal: no line editing, but the
 * prompts and the lines read are echoed, as sqlite3 (through readline) does.
 */
export function openPlainPrompt(session: ShellSession): Prompt {
  const { state } = session;
  const lines = readerLines(Deno.stdin);
  const prompt: Prompt = {
    continuation: false,
    interrupted: false,
    readLine() {
      state.stdout.write(prompt.continuation ? state.prompt.continuation : state.prompt.main);
      state.stdout.flush();
      const line = lines.next() as string | null;
      if (line !== null) state.stdout.write(line + "\n");
      return Promise.resolve(line);
    },
    close: () => Promise.resolve(),
  };
  return prompt;
}
