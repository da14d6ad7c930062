/**
 * The line editor of the interactive shell. Deno's `node:readline` does the editing
 * (cursor keys, Home/End, Ctrl-A/E/K/U/W, history, Tab, wide characters, long lines that
 * wrap), so this module only adapts it: it keeps the terminal in raw mode only while a line
 * is being read, so that whatever runs between prompts sees an ordinary terminal (Ctrl-C
 * is SIGINT again, a child process can read its input); turns Ctrl-C into "^C" and a fresh
 * prompt; and loads and saves the history file. `node:readline` loads on first use, not at
 * import time.
 */
import type { Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { Completion } from "./completion.ts";
import { addHistoryEntry, HISTORY_LIMIT, loadHistory, saveHistory } from "./history.ts";

/** How to open a line reader. */
export interface LineReaderOptions {
  /** The history file, read now and appended to as each line is entered; null keeps no history. */
  historyPath: string | null;
  /** What Tab offers for the text left of the cursor. */
  complete?: (lineBeforeCursor: string) => Completion;
  /**
   * Called when Ctrl-C clears the line being typed; may return the prompt to show next
   * (the main prompt, when the caller drops a statement that was being continued).
   */
  onInterrupt?: () => string | void;
  /** The terminal's input; standard input by default (tests pass a stream). */
  input?: Readable;
  /** The terminal's output; standard output by default. */
  output?: Writable;
}

/** Reads lines typed at a terminal. */
export interface LineReader {
  /** Show `prompt` and read one line, without its newline; null at end of input (Ctrl-D). */
  readLine(prompt: string): Promise<string | null>;
  /** The history, oldest entry first. */
  history(): string[];
  /** Give the terminal back and save the history; safe to call twice, never throws. */
  close(): Promise<void>;
}

/** A raw-mode switch, present when the input is a terminal. */
interface TtyInput {
  isTTY?: boolean;
  setRawMode?: (raw: boolean) => unknown;
}

/**
 * Open a line reader on the terminal (or on `input`/`output`).
 *
 * @example
 * ```ts
 * const reader = await openLineReader({ historyPath: defaultHistoryPath() });
 * try {
 *   for (let line; (line = await reader.readLine("sqlite> ")) !== null;) run(line);
 * } finally {
 *   await reader.close();
 * }
 * ```
 */
export async function openLineReader(options: LineReaderOptions): Promise<LineReader> {
  const [{ createInterface }, { default: process }] = await Promise.all([
    import("node:readline"),
    import("node:process"),
  ]);
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const history = options.historyPath === null ? [] : await loadHistory(options.historyPath);
  // Each line is appended to the file as soon as it is entered, so a session that is
  // killed keeps what was typed; the writes run one after another.
  let saving: Promise<unknown> = Promise.resolve();
  const append = (line: string) => {
    const path = options.historyPath;
    if (path === null) return;
    saving = saving.then(() => saveHistory(path, [line]).catch(() => false));
  };
  const { complete } = options;

  const rl = createInterface({
    input,
    output,
    terminal: true,
    // node:readline keeps the newest entry first and changes the array it is given.
    history: [...history].reverse(),
    historySize: HISTORY_LIMIT,
    removeHistoryDuplicates: false,
    tabSize: 8,
    completer: complete === undefined ? undefined : (line: string): [string[], string] => {
      try {
        const { start, candidates } = complete(line);
        return [candidates, line.slice(start)];
      } catch {
        return [[], line];
      }
    },
  });

  let closed = false;
  const pending: string[] = [];
  let waiting: ((line: string | null) => void) | null = null;

  const setRaw = (raw: boolean) => {
    const tty = input as TtyInput;
    if (tty.isTTY && typeof tty.setRawMode === "function") tty.setRawMode(raw);
  };
  // Between prompts the terminal belongs to the commands the shell runs.
  const release = () => {
    if (closed) return;
    rl.pause();
    setRaw(false);
  };
  release();

  rl.on("line", (line: string) => {
    if (addHistoryEntry(history, line)) append(line);
    const resolve = waiting;
    waiting = null;
    if (resolve) {
      release();
      resolve(line);
    } else {
      // Several lines pasted at once: the rest wait for the next readLine.
      pending.push(line);
    }
  });
  rl.on("close", () => {
    closed = true;
    const resolve = waiting;
    waiting = null;
    resolve?.(null);
  });
  rl.on("SIGINT", () => interrupt(rl, output, options.onInterrupt));
  // After Ctrl-Z and `fg`, node:readline restores raw mode and redraws the line but leaves
  // its input paused, for the application to resume.
  rl.on("SIGCONT", () => rl.resume());

  return {
    async readLine(prompt: string): Promise<string | null> {
      // The lines entered so far are in the history file before the next prompt shows.
      await saving;
      if (pending.length > 0) return pending.shift()!;
      if (closed) return null;
      if (waiting) throw new Error("readLine is already waiting for a line");
      return await new Promise((resolve) => {
        waiting = resolve;
        rl.setPrompt(prompt);
        setRaw(true);
        rl.resume();
        rl.prompt();
      });
    },
    history: () => [...history],
    async close(): Promise<void> {
      if (!closed) rl.close();
      await saving;
    },
  };
}

/** Ctrl-C: show "^C" after what was typed, drop it, and prompt again. */
function interrupt(rl: Interface, output: Writable, onInterrupt?: () => string | void): void {
  rl.write(null, { ctrl: true, name: "e" });
  output.write("^C");
  // clearLine writes the newline and empties the buffer without redrawing it.
  (rl as unknown as { clearLine(): void }).clearLine();
  (rl as unknown as { historyIndex: number }).historyIndex = -1;
  const prompt = onInterrupt?.();
  if (typeof prompt === "string") rl.setPrompt(prompt);
  rl.prompt();
}
