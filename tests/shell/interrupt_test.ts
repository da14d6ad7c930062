/**
 * SIGINT outside the prompt, side by side with sqlite3: a script stops at the statement it
 * interrupts (and reads no further), SQL given as arguments ends with SQLite's code.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { sqlinkCommand, tempDir } from "../helpers/cli.ts";
import { haveSqlite3, SQLITE3 } from "../helpers/sqlite3.ts";

const LONG =
  "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c;";

/**
 * Run `command`, send SIGINT once `ready()` says the long statement started and a moment
 * passed, and collect the rest.
 */
async function interrupted(
  command: Deno.Command,
  stdin: string | null,
  ready: (stdout: string) => boolean,
) {
  const child = command.spawn();
  if (stdin !== null) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const decoder = new TextDecoder();
  let stdout = "";
  const reading = (async () => {
    for await (const chunk of child.stdout) stdout += decoder.decode(chunk, { stream: true });
  })();
  const stderr = new Response(child.stderr).text();
  const deadline = Date.now() + 20_000;
  while (!ready(stdout) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // The statement after `ready` is running by now.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  child.kill("SIGINT");
  const status = await child.status;
  clearTimeout(killer);
  await reading;
  return { code: status.code, stdout, stderr: await stderr };
}

function size(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
}

function sqlite3Command(args: string[], piped: boolean): Deno.Command {
  return new Deno.Command(SQLITE3, {
    args,
    stdin: piped ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  });
}

Deno.test({
  name: "SIGINT: a script stops at the interrupted statement, as sqlite3's does",
  ignore: !haveSqlite3,
  async fn() {
    // stdout is flushed before each line is read, so "1" shows before the long statement runs.
    const script = `select 1;\n${LONG}\nselect 2;\n`;
    const started = (stdout: string) => stdout.includes("1\n");
    const ours = await interrupted(sqlinkCommand([], { stdin: script }), script, started);
    const theirs = await interrupted(sqlite3Command([], true), script, started);
    assert.deepEqual(ours, theirs);
    assert.deepEqual(ours, {
      code: 1,
      stdout: "1\n",
      stderr: "Runtime error near line 2: interrupted (9)\n",
    });
  },
});

Deno.test({
  name: "SIGINT: SQL given as arguments ends with SQLite's interrupt code, as sqlite3's does",
  ignore: !haveSqlite3,
  async fn() {
    using dir = tempDir();
    const run = async (name: string, make: (args: string[]) => Deno.Command) => {
      // The first argument writes the database file: once it has content, the next runs.
      const db = join(dir.path, name);
      const args = [db, "create table ready(x)", LONG, "select 2"];
      return await interrupted(make(args), null, () => size(db) > 0);
    };
    const ours = await run("ours.db", (args) => sqlinkCommand(args));
    const theirs = await run("theirs.db", (args) => sqlite3Command(args, false));
    assert.deepEqual(ours, theirs);
    assert.deepEqual(ours, { code: 9, stdout: "", stderr: "Error: stepping, interrupted (9)\n" });
  },
});
