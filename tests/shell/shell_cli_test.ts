/**
 * The shell as a program: what only sqlink does (or what a side-by-side run cannot show):
 * answering through a pipe line by line, the start-up banner, the default init file,
 * `.shell`, and the cas subcommands still reachable beside the shell.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runSqlink, sqlinkCommand, tempDir } from "../helpers/cli.ts";

Deno.test("shell: answers each statement from a pipe before the next one arrives", async () => {
  using home = tempDir();
  const child = sqlinkCommand([":memory:"], { stdin: "", env: { HOME: home.path } }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const encoder = new TextEncoder();
  let seen = "";
  async function ask(sql: string, answer: string): Promise<void> {
    await writer.write(encoder.encode(sql + "\n"));
    while (!seen.includes(answer)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stdout ended before ${answer}; saw ${seen}`);
      seen += value;
    }
  }
  await ask("create table t(x); insert into t values (41);", "");
  await ask("select x + 1 from t;", "42\n");
  await ask("update t set x = 99; select x from t;", "99\n");
  await writer.close();
  reader.releaseLock();
  const status = await child.status;
  assert.equal(status.code, 0);
});

Deno.test("shell: ~/.sqlinkrc runs first; -init replaces it", async () => {
  using home = tempDir();
  Deno.writeTextFileSync(join(home.path, ".sqlinkrc"), ".mode csv\n.headers on\n");
  Deno.writeTextFileSync(join(home.path, "other.rc"), ".mode json\n");
  const env = { HOME: home.path };
  const byDefault = await runSqlink([":memory:", "select 1 as a, 2 as b"], { env });
  assert.equal(byDefault.stdout, "a,b\r\n1,2\r\n");
  const replaced = await runSqlink([
    "-init",
    join(home.path, "other.rc"),
    ":memory:",
    "select 1 as a",
  ], {
    env,
  });
  assert.equal(replaced.stdout, '[{"a":1}]\n');
});

Deno.test("shell: -help and -h answer as sqlite3's do: usage on stderr, exit 1", async () => {
  const reference = await new Deno.Command("sqlite3", {
    args: ["-help"],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  assert.equal(reference.code, 1);
  assert.equal(reference.stdout.length, 0);
  for (const word of ["-help", "-h"]) {
    const help = await runSqlink([word]);
    assert.equal(help.code, reference.code, word);
    assert.equal(help.stdout, "", word);
    assert.match(
      help.stderr,
      /^Usage: sqlink \[OPTIONS\] FILENAME \[SQL\]\nFILENAME is the name/,
      word,
    );
  }
});

Deno.test("shell: --help, -version and the cas subcommands beside the shell", async () => {
  const help = await runSqlink(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: sqlink \[OPTIONS\] FILENAME \[SQL\]/);
  assert.match(help.stdout, /sqlink cas --help/);
  const version = await runSqlink(["-version"]);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^3\.\d+\.\d+ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [0-9a-f]+/);
  using cache = tempDir();
  const stats = await runSqlink(["cas", "stats"], { env: { SQLINK_CACHE_DIR: cache.path } });
  assert.equal(stats.code, 0, stats.stderr);
});

Deno.test("shell: .shell and .system run a command; output order is kept", async () => {
  const result = await runSqlink([], {
    stdin: "select 1;\n.shell echo from-shell\n.system echo two\nselect 2;\n",
  });
  assert.equal(result.stdout, "1\nfrom-shell\ntwo\n2\n");
  assert.equal(result.code, 0);
});

Deno.test("shell: a bad database path is one clear message, exit 1, nothing created", async () => {
  using dir = tempDir();
  const missingDir = join(dir.path, "no", "such", "dir", "x.db");
  const result = await runSqlink([missingDir, "create table t(a)"]);
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    `Error: unable to open database "${missingDir}": unable to open database file\n`,
  );
  assert.equal([...Deno.readDirSync(dir.path)].length, 0);
});

Deno.test("shell: ATTACH works (sqlink runs with every permission)", async () => {
  using dir = tempDir();
  const other = join(dir.path, "other.db");
  const result = await runSqlink([
    ":memory:",
    `attach '${other}' as o`,
    "create table o.t(a)",
    ".databases",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^main: *"" r\/w\no: .*other\.db r\/w\n$/);
});

Deno.test("shell: .backup and .save write a database sqlite3 can read; bad calls say why", async () => {
  using dir = tempDir();
  const copy = join(dir.path, "copy.db");
  const saved = join(dir.path, "saved.db");
  const result = await runSqlink([], {
    stdin: `create table t(a); insert into t values (7);\n.backup ${copy}\n.save main ${saved}\n` +
      ".backup\n.backup --frobnicate x\n.backup a b c\n",
  });
  assert.equal(
    result.stderr,
    "missing FILENAME argument on .backup\nunknown option: --frobnicate\n" +
      "Usage: .backup ?DB? ?OPTIONS? FILENAME\n",
  );
  assert.equal(result.code, 1);
  for (const file of [copy, saved]) {
    const out = await new Deno.Command("sqlite3", { args: [file, "select a from t"] }).output();
    assert.equal(new TextDecoder().decode(out.stdout), "7\n");
  }
});

Deno.test("shell: a sqlite3 .dump of a virtual table loads back (defensive mode is off, as in sqlite3)", async () => {
  using dir = tempDir();
  const source = join(dir.path, "source.db");
  const make = await new Deno.Command("sqlite3", {
    args: [
      source,
      "create virtual table f using fts5(a); insert into f values ('hello world');",
      ".dump",
    ],
  }).output();
  assert.equal(make.code, 0);
  const dump = new TextDecoder().decode(make.stdout);
  assert.match(dump, /writable_schema/);
  const target = join(dir.path, "target.db");
  const load = await runSqlink([target], { stdin: dump });
  assert.equal(load.stderr, "");
  assert.equal(load.code, 0);
  const query = await runSqlink([target, "select a from f where f match 'hello'"]);
  assert.equal(query.stdout, "hello world\n");
});

Deno.test("shell: .help lists only what sqlink has, in sqlite3's own words", async () => {
  const input = ".help -all\n";
  const ours = await runSqlink([], { stdin: input });
  const reference = await new Deno.Command("sqlite3", { args: [":memory:", ".help -all"] })
    .output();
  const theirs = new Set(new TextDecoder().decode(reference.stdout).split("\n"));
  const lines = ours.stdout.split("\n").filter((l) => l !== "");
  const commands = lines.filter((l) => l.startsWith(".")).map((l) => l.slice(1).split(" ")[0]);
  // Every command it lists runs (no "unknown command"), and sqlite3's lines are kept as they are.
  for (const name of commands) {
    const run = await runSqlink([], { stdin: `.${name} --no-such-flag-xyz\n` });
    assert.doesNotMatch(run.stderr, /unknown command or invalid arguments/, name);
  }
  for (const line of lines.filter((l) => l.startsWith("."))) {
    const name = line.slice(1).split(" ")[0];
    const theirLine = [...theirs].find((t) => t.startsWith(`.${name} `) || t === `.${name}`);
    if (theirLine) assert.equal(line, theirLine, `.help line of .${name}`);
  }
  assert.ok(
    commands.includes("tables") && commands.includes("dump") && !commands.includes("archive"),
  );
});

Deno.test("shell: a file that .reads itself stops at 25 nested inputs, as sqlite3 does", async () => {
  using dir = tempDir();
  Deno.writeTextFileSync(join(dir.path, "self.sql"), "select 1;\n.read self.sql\nselect 2;\n");
  // Before the limit this recursed until Deno ran out of memory: stop a run that hangs.
  const child = sqlinkCommand([":memory:", ".read self.sql", "select 9"], {
    cwd: dir.path,
    env: { HOME: dir.path },
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const out = await child.output();
  clearTimeout(timer);
  const decoder = new TextDecoder();
  assert.equal(
    decoder.decode(out.stderr),
    "Input nesting limit (25) reached at line 2. Check recursion.\n",
  );
  // 25 levels ran their first statement; each went on after its failed .read; the SQL
  // argument after the failed .read did not run (an argument's error ends the run).
  assert.equal(decoder.decode(out.stdout), "1\n".repeat(25) + "2\n".repeat(25));
  assert.equal(out.code, 1);
});
