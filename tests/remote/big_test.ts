/**
 * Big blobs and broken transfers (SPEC §10): a 256 MiB blob goes up and comes down streamed
 * (peak RSS well under the blob), a server killed mid-download leaves nothing in the cache,
 * and a client killed mid-upload leaves no object visible on the server.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { StreamDigest } from "../../lib/cas/hash.ts";
import { sqlinkCommand, tempDir } from "../helpers/cli.ts";
import { startNginx } from "../../scripts/nginx.ts";
import { linesOf, Machine, objects } from "./helpers.ts";

/** Write `size` pseudo-random bytes to `path` in pieces; returns its digests. */
function bigFile(path: string, size: number): { sha256: string; blake3: string } {
  const digest = new StreamDigest();
  const file = Deno.openSync(path, { write: true, create: true, truncate: true });
  const piece = new Uint8Array(1 << 20);
  try {
    for (let at = 0; at < size; at += piece.length) {
      for (let i = 0; i < piece.length; i += 65536) {
        crypto.getRandomValues(piece.subarray(i, i + 65536));
      }
      const part = piece.subarray(0, Math.min(piece.length, size - at));
      digest.update(part);
      let written = 0;
      while (written < part.length) written += file.writeSync(part.subarray(written));
    }
  } finally {
    file.close();
  }
  return digest.digest();
}

/** Run sqlink, sampling its peak resident set (VmHWM) until it ends. */
async function runMeasured(
  machine: Machine,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string; peakMiB: number }> {
  const child = sqlinkCommand(args, { env: machine.env }).spawn();
  let peakKiB = 0;
  const timer = setInterval(() => {
    try {
      const status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
      peakKiB = Math.max(peakKiB, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {
      // Not started yet, or gone.
    }
  }, 10);
  const out = await child.output();
  clearInterval(timer);
  const text = new TextDecoder();
  return {
    code: out.code,
    stdout: text.decode(out.stdout),
    stderr: text.decode(out.stderr),
    peakMiB: peakKiB / 1024,
  };
}

const BIG = 256 << 20;

Deno.test({
  name:
    "a 256 MiB blob goes up (write-through) and comes down (cas pull) streamed, peak RSS well under the blob",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    using dir = tempDir();
    await using nginx = await startNginx();
    const env = { SQLINK_REMOTE: `${nginx.origin}/big` };
    const laptop = new Machine(dir.path, "laptop", env);
    const ci = new Machine(dir.path, "ci", env);
    const path = join(dir.path, "big.bin");
    const { sha256, blake3 } = bigFile(path, BIG);

    const put = await runMeasured(laptop, ["cas", "put", path, "--json"]);
    assert.equal(put.code, 0, put.stderr);
    assert.equal(JSON.parse(put.stdout).remotes[0].uploaded, 1);
    assert.equal(Deno.statSync(join(nginx.root, "big", "cas", sha256)).size, BIG);
    Deno.removeSync(path);

    const pull = await runMeasured(ci, ["cas", "pull", `sha256:${sha256}`, "--json"]);
    assert.equal(pull.code, 0, pull.stderr);
    const result = JSON.parse(pull.stdout).results[0];
    assert.equal(result.blake3, blake3);
    assert.equal(result.status, "added");
    console.log(
      `peak RSS: put with upload ${put.peakMiB.toFixed(0)} MiB, pull ${
        pull.peakMiB.toFixed(0)
      } MiB (blob 256 MiB)`,
    );
    assert.ok(put.peakMiB < 192, `put peaked at ${put.peakMiB} MiB`);
    assert.ok(pull.peakMiB < 192, `pull peaked at ${pull.peakMiB} MiB`);
    // Nothing of the transfer is left beside the cache.
    const left = [...Deno.readDirSync(ci.root)].map((e) => e.name).filter((n) =>
      n.endsWith(".tmp")
    );
    assert.deepEqual(left, []);
  },
});

Deno.test({
  name: "a server killed mid-download: one warning, nothing cached, no temporary file left",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    using dir = tempDir();
    const nginx = await startNginx({ limitRate: "4m" });
    try {
      const env = { SQLINK_REMOTE: `${nginx.origin}/k` };
      const laptop = new Machine(dir.path, "laptop", env);
      const path = join(dir.path, "blob.bin");
      const { sha256 } = bigFile(path, 48 << 20);
      assert.equal((await laptop.run(["cas", "put", path])).code, 0);

      const ci = new Machine(dir.path, "ci", env);
      const out = join(dir.path, "out.bin");
      const running = ci.run(["cas", "get", `sha256:${sha256}`, "-o", out]);
      // At 4 MiB/s the download takes about 12 s; past 4 MiB it spills to a temporary file
      // beside the cache: kill the server once that exists.
      const deadline = Date.now() + 30_000;
      const spilled = () => {
        try {
          return [...Deno.readDirSync(ci.root)].some((e) => e.name.startsWith(".download."));
        } catch {
          return false;
        }
      };
      while (!spilled() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(spilled(), "the download started");
      await nginx.stop({ kill: true });
      const get = await running;
      assert.equal(get.code, 1, get.stderr);
      assert.equal(linesOf(get.stderr, "warning:").length, 1, get.stderr);
      assert.match(get.stderr, /^error: No artifact in the cas-cache matches/m);
      assert.throws(() => Deno.statSync(out));
      const stats = JSON.parse((await ci.run(["cas", "stats", "--json"])).stdout);
      assert.equal(stats.artifacts, 0);
      assert.equal(stats.remotes[0].errors, 1);
      const left = [...Deno.readDirSync(ci.root)].map((e) => e.name).filter((n) =>
        n.endsWith(".tmp")
      );
      assert.deepEqual(left, []);
    } finally {
      await nginx.stop({ kill: true });
    }
  },
});

Deno.test({
  name: "a client killed mid-upload leaves no object visible on the server",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    using dir = tempDir();
    await using nginx = await startNginx();
    const laptop = new Machine(dir.path, "laptop");
    const path = join(dir.path, "blob.bin");
    const { sha256 } = bigFile(path, 128 << 20);
    assert.equal((await laptop.run(["cas", "put", path, "--no-remote"])).code, 0);
    const child = sqlinkCommand(["cas", "push", "--all", "--remote", `${nginx.origin}/u`], {
      env: laptop.env,
    }).spawn();
    // nginx receives a PUT body into a temporary file first: kill the client once it has.
    const bodies = join(nginx.root, "..", "body");
    const deadline = Date.now() + 60_000;
    let receiving = false;
    while (!receiving && Date.now() < deadline) {
      receiving = [...Deno.readDirSync(bodies)].length > 0;
      if (!receiving) await new Promise((r) => setTimeout(r, 5));
    }
    child.kill("SIGKILL");
    await child.output();
    assert.ok(receiving, "the upload started");
    const head = await fetch(`${nginx.origin}/u/cas/${sha256}`, { method: "HEAD" });
    assert.equal(head.status, 404);
    assert.deepEqual(objects(nginx.root), []);
  },
});
