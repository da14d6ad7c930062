/**
 * The line reader on in-memory streams: keys in, lines and screen output out. The real
 * terminal (raw mode, script) is covered by prompt_pty_test.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { type LineReader, openLineReader } from "../../lib/shell/prompt/line_reader.ts";
import type { Completion } from "../../lib/shell/prompt/completion.ts";
import { tempDir } from "../helpers/cli.ts";

interface Terminal {
  reader: LineReader;
  /** Send keys; each call is one read, as a key press is. */
  keys(text: string): void;
  /** Wait until the screen output shows `text` after what earlier waits saw. */
  shows(text: string): Promise<void>;
  screen(): string;
}

async function openTerminal(
  options: {
    historyPath?: string | null;
    complete?: (line: string) => Completion;
    onInterrupt?: () => string | void;
  } = {},
): Promise<Terminal> {
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = "";
  let seen = 0;
  output.on("data", (chunk) => screen += String(chunk));
  const reader = await openLineReader({
    historyPath: options.historyPath ?? null,
    complete: options.complete,
    onInterrupt: options.onInterrupt,
    input,
    output,
  });
  return {
    reader,
    keys: (text) => input.write(text),
    async shows(text) {
      const deadline = Date.now() + 5000;
      while (screen.indexOf(text, seen) < 0) {
        if (Date.now() > deadline) throw new Error(`Expected ${JSON.stringify(text)}: ${screen}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      seen = screen.indexOf(text, seen) + text.length;
    },
    screen: () => screen,
  };
}

/** Read one line after typing `keys`. */
async function lineAfter(terminal: Terminal, keys: string, prompt = "> "): Promise<string | null> {
  const line = terminal.reader.readLine(prompt);
  terminal.keys(keys);
  return await line;
}

Deno.test("line reader: editing keys", async () => {
  const t = await openTerminal();
  try {
    assert.equal(await lineAfter(t, "select 1;\r"), "select 1;");
    assert.equal(await lineAfter(t, "abc\x1b[D\x1b[DX\r"), "aXbc");
    assert.equal(await lineAfter(t, "xy\x01Z\x05W\r"), "ZxyW");
    assert.equal(await lineAfter(t, "abc\x1b[H1\x1b[F2\x1b[3~\r"), "1abc2");
    assert.equal(await lineAfter(t, "abcdef\x01\x1b[C\x1b[C\x0bY\r"), "abY");
    assert.equal(await lineAfter(t, "abc\x15def\r"), "def");
    assert.equal(await lineAfter(t, "hello big world\x17\x17X\r"), "hello X");
    assert.equal(await lineAfter(t, "abc\x1b[D\x7f\x1b[D\x1b[3~\r"), "c");
    assert.equal(await lineAfter(t, "ab\x01\x04\r"), "b");
  } finally {
    await t.reader.close();
  }
});

Deno.test("line reader: wide and combined characters", async () => {
  const t = await openTerminal();
  try {
    assert.equal(await lineAfter(t, "日本語\x7f\r"), "日本");
    assert.equal(await lineAfter(t, "ac\x1b[D日\r"), "a日c");
    assert.equal(await lineAfter(t, "x😀\x7fy\r"), "xy");
  } finally {
    await t.reader.close();
  }
});

Deno.test("line reader: the prompt is shown, pasted lines come one at a time", async () => {
  const t = await openTerminal();
  try {
    assert.equal(await lineAfter(t, "one\rtwo\r", "sqlite> "), "one");
    assert.match(t.screen(), /sqlite> /);
    assert.equal(await t.reader.readLine("   ...> "), "two");
    assert.equal(await lineAfter(t, "three\r"), "three");
  } finally {
    await t.reader.close();
  }
});

Deno.test("line reader: Ctrl-D on an empty line ends the input", async () => {
  const t = await openTerminal();
  assert.equal(await lineAfter(t, "\x04"), null);
  assert.equal(await t.reader.readLine("> "), null);
  await t.reader.close();
  await t.reader.close();
});

Deno.test("line reader: Ctrl-C shows ^C, drops the line and prompts again", async () => {
  let interrupts = 0;
  const t = await openTerminal({
    onInterrupt: () => {
      interrupts++;
      return "main> ";
    },
  });
  try {
    const line = t.reader.readLine("cont> ");
    t.keys("abc");
    await t.shows("abc");
    t.keys("\x03");
    await t.shows("^C\r\n");
    await t.shows("main> ");
    t.keys("def\r");
    assert.equal(await line, "def");
    assert.equal(interrupts, 1);
  } finally {
    await t.reader.close();
  }
});

Deno.test("line reader: Up and Down walk the history, loaded from the file", async () => {
  using dir = tempDir();
  const historyPath = join(dir.path, "history");
  await Deno.writeTextFile(historyPath, "old one\nold two\n");
  const t = await openTerminal({ historyPath });
  try {
    assert.equal(await lineAfter(t, "\x1b[A\r"), "old two");
    assert.equal(await lineAfter(t, "\x1b[A\x1b[A\r"), "old one");
    assert.equal(await lineAfter(t, "\x1b[A\x1b[A\x1b[B\r"), "old one");
    assert.equal(await lineAfter(t, "new\r"), "new");
    assert.equal(await lineAfter(t, "\x1b[A\r"), "new");
    assert.equal(await lineAfter(t, "   \r"), "   ");
    assert.deepEqual(t.reader.history(), ["old one", "old two", "old one", "new"]);
  } finally {
    await t.reader.close();
  }
  assert.equal(
    await Deno.readTextFile(historyPath),
    "old one\nold two\nold one\nnew\n",
  );
});

Deno.test("line reader: an unwritable history file does not break close", async () => {
  using dir = tempDir();
  const blocker = join(dir.path, "file");
  await Deno.writeTextFile(blocker, "");
  const t = await openTerminal({ historyPath: join(blocker, "history") });
  assert.equal(await lineAfter(t, "select 1;\r"), "select 1;");
  await t.reader.close();
});

Deno.test("line reader: Tab inserts one candidate, extends a common prefix, lists on the second", async () => {
  const words = ["select", "selection", "semi", "tables"];
  const complete = (line: string): Completion => {
    const start = line.lastIndexOf(" ") + 1;
    const word = line.slice(start).toLowerCase();
    return { start, candidates: words.filter((w) => w.startsWith(word)) };
  };
  const t = await openTerminal({ complete });
  try {
    let line = t.reader.readLine("> ");
    t.keys("ta");
    await t.shows("ta");
    t.keys("\t");
    await t.shows("bles");
    t.keys("\r");
    assert.equal(await line, "tables");

    line = t.reader.readLine("> ");
    t.keys("x SELE");
    await t.shows("SELE");
    t.keys("\t");
    await t.shows("select");
    t.keys("\t");
    await t.shows("selection");
    t.keys("\r");
    assert.equal(await line, "x select");
  } finally {
    await t.reader.close();
  }
});

Deno.test("line reader: a completer that throws offers nothing", async () => {
  const t = await openTerminal({
    complete: () => {
      throw new Error("boom");
    },
  });
  try {
    const line = t.reader.readLine("> ");
    t.keys("ab");
    await t.shows("ab");
    t.keys("\t");
    t.keys("c\r");
    assert.equal(await line, "abc");
  } finally {
    await t.reader.close();
  }
});
