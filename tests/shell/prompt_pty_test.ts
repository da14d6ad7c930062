/**
 * The interactive shell in a real terminal: history kept between runs, Tab completion,
 * line editing, the continuation prompt, Ctrl-C and Ctrl-D.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { MAIN, PERMISSIONS, tempDir } from "../helpers/cli.ts";
import { PtySession } from "../helpers/pty.ts";

const PROMPT = "sqlite> ";
const CONTINUATION = "   ...> ";
const UP = "\x1b[A";
const LEFT = "\x1b[D";

/** sqlink's shell in a terminal, with its home, history and cache inside `dir`. */
function startShell(dir: string, args: string[]): PtySession {
  return new PtySession([Deno.execPath(), "run", "--quiet", ...PERMISSIONS, MAIN, ...args], {
    env: {
      HOME: dir,
      SQLINK_HISTORY: join(dir, "history"),
      SQLINK_CACHE_DIR: join(dir, "cache"),
      NO_COLOR: "1",
    },
  });
}

/**
 * Type `text`, wait until the terminal echoes it, press Tab and wait for the rest of
 * `completed` to appear (typed at the end of the line, or the whole line redrawn).
 */
async function complete(shell: PtySession, text: string, completed: string): Promise<void> {
  await shell.type(text);
  await shell.expect(text);
  // A Tab that arrives in the same read as other keys counts as pasted text, not completion.
  await shell.type("\t");
  await shell.expect(completed.slice(text.length));
}

Deno.test("pty: a line typed in one run comes back with Up in the next", async () => {
  using dir = tempDir();
  {
    await using shell = startShell(dir.path, []);
    await shell.expect(PROMPT);
    await shell.type("select 6 * 7;\r");
    await shell.expect("42\n");
    await shell.expect(PROMPT);
    await shell.type(".quit\r");
    assert.equal((await shell.wait()).code, 0);
  }
  const saved = await Deno.readTextFile(join(dir.path, "history"));
  assert.deepEqual(saved.split("\n").filter((line) => line !== ""), ["select 6 * 7;", ".quit"]);
  assert.equal((await Deno.stat(join(dir.path, "history"))).mode! & 0o777, 0o600);
  {
    await using shell = startShell(dir.path, []);
    await shell.expect(PROMPT);
    await shell.type(UP);
    await shell.expect(".quit");
    await shell.type(UP);
    await shell.expect("select 6 * 7;");
    await shell.type("\r");
    await shell.expect("42\n");
    await shell.expect(PROMPT);
    await shell.type("\x04");
    assert.equal((await shell.wait()).code, 0);
  }
});

Deno.test("pty: Tab completes dot-commands, keywords, tables and columns", async () => {
  using dir = tempDir();
  const dbPath = join(dir.path, "things.db");
  const db = new DatabaseSync(dbPath);
  db.exec("CREATE TABLE things(alpha, beta); INSERT INTO things VALUES ('xyzzy', 2);");
  db.close();
  await using shell = startShell(dir.path, [dbPath]);
  await shell.expect(PROMPT);

  await complete(shell, ".ta", ".tables");
  await shell.type("\r");
  await shell.expect(/things\s*\n/);
  await shell.expect(PROMPT);

  await complete(shell, "sel", "select");
  await complete(shell, " alp", " alpha");
  await complete(shell, " from thi", " from things");
  await shell.type(";\r");
  await shell.expect("xyzzy\n");
  await shell.expect(PROMPT);

  await complete(shell, "SEL", "SELECT");
  await shell.type(" 1;\r");
  await shell.expect("1\n");
  await shell.expect(PROMPT);
  await shell.type("\x04");
  assert.equal((await shell.wait()).code, 0);
});

Deno.test("pty: a statement over two lines shows the continuation prompt", async () => {
  using dir = tempDir();
  await using shell = startShell(dir.path, []);
  await shell.expect(PROMPT);
  await shell.type("select 40 +\r");
  await shell.expect(CONTINUATION);
  await shell.type("2;\r");
  await shell.expect("42\n");
  await shell.expect(PROMPT);
  await shell.type("\x04");
  assert.equal((await shell.wait()).code, 0);
});

Deno.test("pty: cursor keys edit the line, wide characters included", async () => {
  using dir = tempDir();
  await using shell = startShell(dir.path, []);
  await shell.expect(PROMPT);
  await shell.type("select 'ac';");
  await shell.expect("select 'ac';");
  await shell.type(LEFT + LEFT + LEFT);
  await shell.type("日本b\r");
  await shell.expect("a日本bc\n");
  await shell.expect(PROMPT);
  await shell.type("\x04");
  assert.equal((await shell.wait()).code, 0);
});

Deno.test("pty: Ctrl-C drops the line and prompts again; Ctrl-D exits 0", async () => {
  using dir = tempDir();
  await using shell = startShell(dir.path, []);
  await shell.expect(PROMPT);
  await shell.type("select 'never';");
  await shell.expect("select 'never';");
  await shell.type("\x03");
  await shell.expect(`^C\n${PROMPT}`);
  await shell.type("select 'after';\r");
  const shown = await shell.expect("after\n");
  assert.equal(shown.includes("never"), false);
  await shell.expect(PROMPT);
  await shell.type("\x04");
  const exit = await shell.wait();
  assert.equal(exit.code, 0);
  assert.match(exit.text, /after/);
});

Deno.test("pty: Ctrl-C stops a running statement with sqlite3's message; the session lives on, history is already saved", async () => {
  using dir = tempDir();
  await using shell = startShell(dir.path, []);
  await shell.expect(PROMPT);
  // Lines shorter than the terminal: a wrapped line is redrawn, prompt and all.
  const setup = [
    "create temp view c as with recursive n(x) as",
    "(select 1 union all select x + 1 from n) select x from n;",
    "create temp table keep(x); begin; insert into keep values (7);",
  ];
  for (const [i, line] of setup.entries()) {
    await shell.type(`${line}\r`);
    await shell.expect(i === 0 ? CONTINUATION : PROMPT);
  }
  // Every line entered is in the history file before the session ends.
  const history = await Deno.readTextFile(join(dir.path, "history"));
  assert.equal(history, setup.map((line) => `${line}\n`).join(""));
  await shell.type("select count(*) from c;\r");
  await shell.expect("select count(*) from c;\n");
  // Let it run a while: the interrupt must reach a statement deep in its work.
  await new Promise((resolve) => setTimeout(resolve, 700));
  const pressed = performance.now();
  await shell.type("\x03");
  await shell.expect("Runtime error: interrupted (9)\n");
  const took = performance.now() - pressed;
  console.log(`  Ctrl-C to the error on the terminal: ${took.toFixed(0)} ms`);
  await shell.expect(PROMPT);
  // The temporary table and the open transaction are still there.
  await shell.type("select x from keep; commit; select 'done';\r");
  await shell.expect("7\ndone\n");
  await shell.expect(PROMPT);
  await shell.type("\x04");
  // As sqlite3: a session that had an error exits 1.
  assert.equal((await shell.wait()).code, 1);
  const lines = (await Deno.readTextFile(join(dir.path, "history"))).split("\n");
  assert.equal(lines.length, 6); // five entries and the last newline
});
