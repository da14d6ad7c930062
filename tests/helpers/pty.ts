/**
 * Run a program in a real pseudo-terminal, type at it and read what it shows, the way a
 * person would. util-linux `script` owns the terminal (it is on every Debian machine, in the
 * essential bsdutils package); the test feeds keystrokes through its standard input and
 * reads the terminal's output from its standard output.
 */

/** Options for one terminal session. */
export interface PtyOptions {
  /** Environment variables added to the test's own. */
  env?: Record<string, string>;
  cwd?: string;
  /** Terminal size; 80x24 by default. */
  columns?: number;
  rows?: number;
}

/** How a session ended: the program's exit status and everything the terminal showed. */
export interface PtyExit {
  code: number;
  /** The output with escape sequences removed and line ends as "\n". */
  text: string;
}

/** Escape sequences (CSI, OSC, two-byte ESC) and lone carriage returns. */
// deno-lint-ignore no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_78=>]|\x07/g;
// deno-lint-ignore no-control-regex
const PARTIAL_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*)?$/;

/** `text` as a person reads it: no escape sequences, "\n" line ends, no bells. */
export function stripTerminal(text: string): string {
  return text.replace(PARTIAL_ESCAPE, "").replace(ESCAPES, "").replace(/\r+\n/g, "\n")
    .replace(/\r/g, "");
}

/** Quote `word` for `sh -c`. */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A program running in a pseudo-terminal. */
export class PtySession implements AsyncDisposable {
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #raw = "";
  #consumed = 0;
  #ended = false;
  #changed: () => void = () => {};
  #reading: Promise<void>;
  #stderr: Promise<string>;

  /** Start `argv` in a new terminal. */
  constructor(argv: string[], options: PtyOptions = {}) {
    const size = `stty cols ${options.columns ?? 80} rows ${options.rows ?? 24}`;
    const command = `${size} 2>/dev/null; exec ${argv.map(shellQuote).join(" ")}`;
    this.#child = new Deno.Command("script", {
      args: ["-qfec", command, "/dev/null"],
      env: { SHELL: "/bin/sh", TERM: "xterm", ...options.env },
      cwd: options.cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#reading = this.#read();
    this.#stderr = new Response(this.#child.stderr).text();
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of this.#child.stdout) {
      this.#raw += decoder.decode(chunk, { stream: true });
      this.#changed();
    }
    this.#raw += decoder.decode();
    this.#ended = true;
    this.#changed();
  }

  /** Everything the terminal has shown so far, escape sequences included. */
  get raw(): string {
    return this.#raw;
  }

  /** Everything shown so far, as `stripTerminal` leaves it. */
  get text(): string {
    return stripTerminal(this.#raw);
  }

  /** Type `keys` (bytes as they come from a keyboard: "\r" is Enter, "\x04" is Ctrl-D). */
  async type(keys: string): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(keys));
  }

  /**
   * Wait until the text shown after the last match contains `pattern`, and return that text
   * up to the end of the match. Fails after `timeoutMs` with what was shown instead.
   */
  async expect(pattern: string | RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const text = this.text;
      const rest = text.slice(this.#consumed);
      const end = matchEnd(rest, pattern);
      if (end >= 0) {
        this.#consumed += end;
        return rest.slice(0, end);
      }
      const left = deadline - Date.now();
      if (this.#ended || left <= 0) {
        throw new Error(
          `Expected ${String(pattern)} on the terminal${this.#ended ? " before it closed" : ""}` +
            `; after the last match it shows:\n${JSON.stringify(rest)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#changed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Wait for the program to exit and the terminal to close. */
  async wait(timeoutMs = 20_000): Promise<PtyExit> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`The program did not exit; it shows:\n${this.text}`)),
        timeoutMs,
      );
    });
    try {
      const status = await Promise.race([this.#child.status, timeout]);
      await this.#reading;
      await this.#stderr;
      return { code: status.code, text: this.text };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stop the program if it still runs and release everything. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    await this.#writer.close().catch(() => {});
    await this.#child.status;
    await this.#reading.catch(() => {});
    await this.#stderr.catch(() => "");
  }
}

function matchEnd(text: string, pattern: string | RegExp): number {
  if (typeof pattern === "string") {
    const at = text.indexOf(pattern);
    return at < 0 ? -1 : at + pattern.length;
  }
  const match = new RegExp(pattern.source, pattern.flags.replace("g", "")).exec(text);
  return match ? match.index + match[0].length : -1;
}
