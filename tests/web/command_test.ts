/**
 * `sqlink web` as a command: it serves the page on loopback with the MIME types a module
 * worker and wasm need, nothing else, and refuses a bad or busy port with one message.
 */
import assert from "node:assert/strict";
import { runSqlink, sqlinkCommand } from "../helpers/cli.ts";

/** Start `sqlink web ARGS`; resolve with the URL it prints and the running child. */
async function start(args: string[]): Promise<{ url: string; child: Deno.ChildProcess }> {
  const child = sqlinkCommand(["web", ...args]).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  reader.releaseLock();
  const url = text.match(/at (http:\/\/127\.0\.0\.1:\d+\/) \(Ctrl-C stops\)/)?.[1];
  assert.ok(url, `printed: ${text}`);
  return { url, child };
}

Deno.test("sqlink web: serves the page, its worker and the wasm with their MIME types", async () => {
  const { url, child } = await start(["--port", "0"]);
  try {
    const expected: Array<[string, number, RegExp]> = [
      ["", 200, /^text\/html/],
      ["page.js", 200, /^text\/javascript/],
      ["worker.js", 200, /^text\/javascript/],
      ["sqlite3.wasm", 200, /^application\/wasm$/],
      ["zstd.wasm", 200, /^application\/wasm$/],
      ["host.json", 200, /^application\/json$/],
      ["../deno.json", 404, /^text\/plain/],
      ["lib/web/server.ts", 404, /^text\/plain/],
    ];
    for (const [path, status, type] of expected) {
      const response = await fetch(new URL(path, url));
      const body = new Uint8Array(await response.arrayBuffer());
      assert.equal(response.status, status, path);
      assert.match(response.headers.get("content-type") ?? "", type, path);
      if (path.endsWith(".wasm")) assert.deepEqual([...body.subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);
    }
    const host = await (await fetch(new URL("host.json", url))).json();
    assert.deepEqual(host, { os: Deno.build.os, arch: Deno.build.arch });
    const page = await (await fetch(url)).text();
    assert.match(page, /cannot load\s+native extensions/);
    const posted = await fetch(url, { method: "POST", body: "x" });
    await posted.body?.cancel();
    assert.equal(posted.status, 405);
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    await child.stdout.cancel().catch(() => {});
    assert.equal(status.code, 0);
  }
});

Deno.test("sqlink web: a bad port is a usage error, a busy one a failure, each one message", async () => {
  let r = await runSqlink(["web", "--port", "99999"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr.trim().split("\n")[0],
    "error: --port takes a port number up to 65535, not 99999",
  );
  r = await runSqlink(["web", "--port", "x"]);
  assert.equal(r.code, 2, r.stderr);
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    r = await runSqlink(["web", "--port", String((busy.addr as Deno.NetAddr).port)]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: Cannot serve on port \d+: it is in use\nhint: Choose another with --port N/,
    );
  } finally {
    busy.close();
  }
});
