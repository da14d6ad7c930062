/**
 * End-to-end tests of `.cas …` in the shell: the real sqlink as a subprocess, checking that
 * each subcommand prints exactly what `sqlink cas …` prints for the same cache, to the
 * shell's current output (so `.once` redirects it), with errors on stderr that leave the
 * shell running.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { digestBytes } from "../../lib/cas/hash.ts";
import { type RunResult, runSqlink, tempDir } from "../helpers/cli.ts";

/** A cache of its own. */
function casEnv(dir: string): Record<string, string> {
  return { SQLINK_CACHE_DIR: join(dir, "cache"), SQLINK_CAS: "", SQLINK_CAS_MAX_BYTES: "" };
}

/**
 * Run `script` through the shell's standard input (batch mode) on an in-memory database,
 * with an empty init file instead of any ~/.sqlinkrc (HOME stays, so Deno keeps its cache).
 */
function shell(script: string, env: Record<string, string>): Promise<RunResult> {
  return runSqlink(["-init", "/dev/null", ":memory:"], { stdin: script, env });
}

function writeBlob(dir: string, name: string, size: number, seed: number): string {
  const bytes = new Uint8Array(size).map((_, i) => (i * 31 + seed) & 0xff);
  const path = join(dir, name);
  Deno.writeFileSync(path, bytes);
  return path;
}

Deno.test(".cas put, ls, stats, uri, gc and verify print what sqlink cas prints", async () => {
  using dir = tempDir();
  const env = casEnv(dir.path);
  const a = writeBlob(dir.path, "a.bin", 5000, 1);
  const b = writeBlob(dir.path, "b.bin", 700, 2);

  const put = await shell(`.cas put ${a} ${b}\n`, env);
  assert.equal(put.code, 0, put.stderr);
  assert.equal(put.stderr, "");
  const blake3 = digestBytes(Deno.readFileSync(a)).blake3;
  assert.match(put.stdout, new RegExp(`^${blake3}  added  .*a\\.bin\n`));
  const again = await runSqlink(["cas", "put", a, b], { env });
  assert.equal(again.code, 0, again.stderr);
  const present = await shell(`.cas put ${a} ${b}\n`, env);
  assert.equal(present.stdout, again.stdout);

  const uri = await shell(`.cas uri set test:a ${blake3.slice(0, 8)}\n`, env);
  assert.equal(uri.stdout, `test:a -> ${blake3}\n`, uri.stderr);

  for (
    const words of [
      ["stats"],
      ["ls"],
      ["ls", "--sort", "size", "--desc", "--limit", "1"],
      ["uri", "ls"],
      ["stats", "--json"],
      ["ls", "--json"],
      ["verify"],
      ["gc", "--max-bytes", "1GiB"],
    ]
  ) {
    const cli = await runSqlink(["cas", ...words], { env });
    const dot = await shell(`.cas ${words.join(" ")}\nselect 'next';\n`, env);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(dot.code, 0, dot.stderr);
    assert.equal(dot.stdout, cli.stdout + "next\n", words.join(" "));
    assert.equal(dot.stderr, cli.stderr, words.join(" "));
  }
  const stats = JSON.parse((await shell(".cas stats --json\n", env)).stdout);
  assert.equal(stats.ok, true);
  assert.equal(stats.artifacts, 2);
  assert.equal(stats.uris, 1);

  const rm = await shell(".cas uri rm test:a\n.cas uri ls\n", env);
  assert.equal(rm.stdout, `removed test:a (was ${blake3})\nNo URIs.\n`, rm.stderr);
});

Deno.test(".cas writes to the current output: .once sends it to a file, then stdout again", async () => {
  using dir = tempDir();
  const env = casEnv(dir.path);
  const file = join(dir.path, "stats.txt");
  const result = await shell(`.once ${file}\n.cas stats\n.cas ls\n`, env);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "No artifacts.\n");
  const cli = await runSqlink(["cas", "stats"], { env });
  assert.equal(Deno.readTextFileSync(file), cli.stdout);

  const output = join(dir.path, "all.txt");
  const both = await shell(`.output ${output}\n.cas stats\nselect 1;\n.output\nselect 2;\n`, env);
  assert.equal(both.stdout, "2\n");
  assert.equal(Deno.readTextFileSync(output), cli.stdout + "1\n");
});

Deno.test(".cas get writes the bytes to -o FILE, or to the current output", async () => {
  using dir = tempDir();
  const env = casEnv(dir.path);
  const blob = writeBlob(dir.path, "blob.bin", 200_000, 7);
  const bytes = Deno.readFileSync(blob);
  const { blake3 } = digestBytes(bytes);
  assert.equal((await runSqlink(["cas", "put", blob, "--uri", "test:blob"], { env })).code, 0);

  const copy = join(dir.path, "copy.bin");
  const once = join(dir.path, "once.bin");
  const result = await shell(
    `.cas get test:blob -o ${copy}\n.once ${once}\n.cas get ${blake3}\nselect 'after';\n`,
    env,
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "after\n");
  assert.deepEqual(Deno.readFileSync(copy), bytes);
  assert.deepEqual(Deno.readFileSync(once), bytes);

  const piped = await shell(`.cas get ${blake3}\n`, env);
  assert.deepEqual(piped.stdoutBytes, bytes);
});

Deno.test(".cas errors: error and hint on stderr, the shell goes on, batch exit status 1", async () => {
  using dir = tempDir();
  const env = casEnv(dir.path);
  const result = await shell(".cas get nosuchhash\nselect 42;\n", env);
  assert.equal(result.stdout, "42\n");
  assert.match(result.stderr, /^error: .*nosuchhash.*\nhint: .+\n$/);
  assert.equal(result.code, 1);
  const cli = await runSqlink(["cas", "get", "nosuchhash"], { env });
  assert.equal(result.stderr, cli.stderr);

  const json = await shell(".cas get nosuchhash -o x --json\n", env);
  assert.equal(JSON.parse(json.stdout).ok, false);
  assert.match(json.stderr, /^error: /);

  const args = await runSqlink([
    "-init",
    "/dev/null",
    ":memory:",
    ".cas get nosuchhash",
    "select 1",
  ], {
    env,
  });
  assert.equal(args.code, 1);
  assert.equal(args.stdout, "");
});

Deno.test(".cas usage: a bad subcommand, no subcommand, --help", async () => {
  using dir = tempDir();
  const env = casEnv(dir.path);
  const bogus = await shell(".cas bogus\n", env);
  assert.equal(bogus.code, 1);
  assert.equal(
    bogus.stderr,
    'error: Unknown argument "bogus"\nhint: Run ".cas --help" for usage\n',
  );

  const none = await shell(".cas\n", env);
  assert.equal(none.code, 1);
  assert.equal(
    none.stderr,
    "error: Name a cas subcommand: put, get, ls, uri, stats, gc, verify, export, import, push or pull\n" +
      'hint: Run ".cas --help" for usage\n',
  );

  const badFlag = await shell(".cas ls --bogus\n", env);
  assert.equal(
    badFlag.stderr,
    'error: Unknown option "--bogus"\nhint: Run ".cas ls --help" for usage\n',
  );

  const help = await shell(".cas --help\n", env);
  assert.equal(help.code, 0, help.stderr);
  const cliHelp = await runSqlink(["cas", "--help"], { env });
  assert.equal(help.stdout, cliHelp.stdout.replaceAll("sqlink cas", ".cas"));
  assert.match(help.stdout, /^\.cas\n/);
  assert.match(help.stdout, /^ {2}\.cas put <files\.\.>/m);
  assert.doesNotMatch(help.stdout, /sqlink cas/);

  const putHelp = await shell(".cas put --help\n", env);
  assert.match(putHelp.stdout, /^\.cas put <files\.\.>/);
});

Deno.test(".help lists .cas; .help cas shows its subcommands", async () => {
  using dir = tempDir();
  const env = casEnv(dir.path);
  const all = await shell(".help\n", env);
  assert.match(all.stdout, /^\.cas SUBCOMMAND \.\.\. +Manage the cas-cache/m);
  const one = await shell(".help cas\n", env);
  assert.match(one.stdout, /^\.cas SUBCOMMAND \.\.\. +Manage the cas-cache/);
  for (const sub of ["put", "get", "ls", "uri", "stats", "gc", "verify"]) {
    assert.match(one.stdout, new RegExp(`^ {5}${sub} `, "m"), sub);
  }
});
