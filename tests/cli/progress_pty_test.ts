/**
 * Progress of long operations in a real terminal: `cas put`, `cas get -o` and `cas verify`
 * show what they are doing, bytes or items, and the rate; nothing with --quiet, under
 * TERM=dumb, or when stderr is piped.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { MAIN, runSqlink, tempDir } from "../helpers/cli.ts";
import { PtySession } from "../helpers/pty.ts";

const SIZE = 48 * 1024 * 1024;

function bigFile(dir: string): string {
  const path = join(dir, "big.bin");
  const file = Deno.openSync(path, { write: true, create: true });
  const block = new Uint8Array(1024 * 1024);
  for (let at = 0; at < SIZE; at += block.length) {
    crypto.getRandomValues(block.subarray(0, 65536));
    file.writeSync(block);
  }
  file.close();
  return path;
}

async function inTerminal(args: string[], env: Record<string, string>, cwd: string) {
  await using session = new PtySession([Deno.execPath(), "run", "-q", "-A", MAIN, ...args], {
    env,
    cwd,
    columns: 200,
  });
  const exit = await session.wait(120_000);
  assert.equal(exit.code, 0, exit.text);
  return session.raw;
}

Deno.test("cas put, get and verify show progress at a terminal, and only there", async () => {
  using dir = tempDir();
  const env = { SQLINK_CACHE_DIR: join(dir.path, "cache"), SQLINK_CAS: "", NO_COLOR: "1" };
  const file = bigFile(dir.path);

  const put = await inTerminal(["cas", "put", file], env, dir.path);
  // One pass (lib/cas/file_put.ts): the file is hashed as it is stored, so one phase.
  assert.match(
    put,
    /\rput: storing big\.bin [\d.]+ MiB of 48\.0 MiB \(\d+%(, [\d.]+ [KMG]iB\/s)?\)/,
  );
  assert.match(put, /\rput: stored big\.bin 48\.0 MiB of 48\.0 MiB \(100%/);
  // The line is cleared (CR, erase to end of line) before the result is printed.
  assert.ok(/\[K[0-9a-f]{64} {2}added/.test(put) && put.includes("\r\x1b[K"), put);

  const hash =
    (await runSqlink(["cas", "ls", "--json"], { env })).stdout.match(/"blake3": "(\w+)"/)![1];
  const out = join(dir.path, "out.bin");
  const got = await inTerminal(["cas", "get", hash, "-o", out], env, dir.path);
  assert.match(got, /\rget: writing .*out\.bin [\d.]+ MiB of 48\.0 MiB \(\d+%/);
  assert.match(got, /MiB\/s\)/, "a rate once it has one");

  const verify = await inTerminal(["cas", "verify"], env, dir.path);
  assert.match(verify, /\rverify: re-hashing artifacts 1\/1 \(100%/);

  // --quiet, TERM=dumb: the same commands, no progress line.
  for (
    const [args, extra] of [
      [["cas", "get", hash, "-o", out, "--quiet"], {}],
      [["cas", "put", file, "-q"], {}],
      [["cas", "get", hash, "-o", out], { TERM: "dumb" }],
    ] as [string[], Record<string, string>][]
  ) {
    const raw = await inTerminal(args, { ...env, ...extra }, dir.path);
    assert.doesNotMatch(raw, /\r(get|put):/, args.join(" "));
  }
  // Piped: stderr holds nothing but what the command reports.
  const piped = await runSqlink(["cas", "get", hash, "-o", out], { env });
  assert.equal(piped.code, 0);
  assert.equal(piped.stderr, "");
});
