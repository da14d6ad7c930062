/**
 * The s3 backend end to end against a real S3-compatible server on loopback (s3rver,
 * path-style): write-through, read-through, bundle push and pull with refs/bundles/NAME,
 * refused credentials, a missing bucket and missing credentials. The signature itself is
 * proven against AWS's published vectors in sigv4_test.ts (s3rver does not check it).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { digestBytes } from "../../lib/cas/hash.ts";
import { tempDir } from "../helpers/cli.ts";
import { extensions } from "../helpers/extensions.ts";
import { linesOf, Machine } from "./helpers.ts";

const KEYS = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };

const S3RVER = fromFileUrl(new URL("../../tools/s3rver/", import.meta.url));

/**
 * s3rver in a process of its own (tools/s3rver: its own deno.json and deno.lock, so the
 * test server stays out of sqlink's dependencies), serving bucket "team" on loopback.
 */
async function startS3(dir: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "-A",
      "--config",
      join(S3RVER, "deno.json"),
      join(S3RVER, "serve.ts"),
      join(dir, "s3"),
      "team",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!/listening \d+\n/.test(seen)) {
    const { done, value } = await lines.read();
    if (done) throw new Error(`s3rver did not start: ${seen}`);
    seen += value;
  }
  const port = Number(/listening (\d+)/.exec(seen)![1]);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      await child.stdin.close();
      lines.releaseLock();
      await child.stdout.cancel().catch(() => {});
      await child.status;
    },
  };
}

Deno.test("s3 remote: a laptop's blobs and bundle reach a CI runner through s3rver, names through refs/bundles/NAME", async () => {
  const ext = await extensions();
  using dir = tempDir();
  const s3 = await startS3(dir.path);
  try {
    const remote = `s3://team/sqlink?endpoint=${s3.endpoint}&region=us-east-1`;
    const env = { ...KEYS, SQLINK_REMOTE: remote };
    const laptop = new Machine(dir.path, "laptop", env);
    const ci = new Machine(dir.path, "ci", env);

    const saved = await laptop.run(["bundle", "save", "hello", ext.hello.path, "--no-build"]);
    assert.equal(saved.code, 0, saved.stderr);
    assert.equal(saved.stderr, "");
    const pushed = await laptop.run(["bundle", "push", "hello", "--json"]);
    assert.equal(pushed.code, 0, pushed.stderr);
    const push = JSON.parse(pushed.stdout);
    assert.equal(push.members[0].present, 1, "the member went up with the save");
    assert.equal(push.refs[0].uploaded, 1);

    const pulled = await ci.run(["bundle", "pull", "hello", "--json"]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(JSON.parse(pulled.stdout).manifestSha256, push.manifestSha256);
    const launched = await ci.run(["--bundle-load", "hello", ":memory:", "select hello('s3')"]);
    assert.equal(launched.code, 0, launched.stderr);
    assert.match(launched.stdout, /s3/);

    const blob = crypto.getRandomValues(new Uint8Array(50_000));
    const file = join(dir.path, "blob.bin");
    Deno.writeFileSync(file, blob);
    assert.equal((await laptop.run(["cas", "put", file])).code, 0);
    const { sha256 } = digestBytes(blob);
    const out = join(dir.path, "out.bin");
    const got = await ci.run(["cas", "get", `sha256:${sha256}`, "-o", out]);
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual(Deno.readFileSync(out), blob);

    // Over 4 MiB: streamed up from a file with its Content-Length, streamed down to one.
    const big = new Uint8Array(6 << 20);
    for (let at = 0; at < big.length; at += 65536) {
      crypto.getRandomValues(big.subarray(at, at + 65536));
    }
    const bigFile = join(dir.path, "big.bin");
    Deno.writeFileSync(bigFile, big);
    const bigPut = await laptop.run(["cas", "put", bigFile, "--json"]);
    assert.equal(bigPut.code, 0, bigPut.stderr);
    assert.equal(JSON.parse(bigPut.stdout).remotes[0].uploaded, 1);
    const bigGet = await ci.run(["cas", "get", `sha256:${digestBytes(big).sha256}`, "-o", out]);
    assert.equal(bigGet.code, 0, bigGet.stderr);
    assert.deepEqual(Deno.readFileSync(out), big);

    const stats = JSON.parse((await ci.run(["cas", "stats", "--json"])).stdout);
    assert.equal(stats.remotes[0].remote, remote);
    assert.equal(stats.remotes[0].hits, 4, "the member, the manifest and two blobs");
    assert.equal(stats.remotes[0].errors, 0);
  } finally {
    await s3.close();
  }
});

Deno.test("s3 remote: refused keys, no keys and a missing bucket are one warning each in local work; push fails with a hint; the secret never appears", async () => {
  using dir = tempDir();
  const s3 = await startS3(dir.path);
  try {
    const file = join(dir.path, "blob.bin");
    Deno.writeFileSync(file, crypto.getRandomValues(new Uint8Array(1000)));
    const remote = `s3://team/x?endpoint=${s3.endpoint}`;
    const secret = "very-secret-key-123";
    const wrong = new Machine(dir.path, "wrong", {
      SQLINK_REMOTE: remote,
      AWS_ACCESS_KEY_ID: "NOT-S3RVER",
      AWS_SECRET_ACCESS_KEY: secret,
    });
    const put = await wrong.run(["cas", "put", file]);
    assert.equal(put.code, 0, put.stderr);
    assert.equal(linesOf(put.stderr, "warning:").length, 1, put.stderr);
    assert.match(put.stderr, /refused sqlink's credentials: HEAD .* HTTP 403/);
    assert.match(put.stderr, /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for s3/);
    const push = await wrong.run(["cas", "push", "--all", "--json"]);
    assert.equal(push.code, 1);
    assert.equal(JSON.parse(push.stdout).error.code, "EREMOTEAUTH");
    for (const run of [put, push]) assert.ok(!(run.stdout + run.stderr).includes(secret));

    const none = new Machine(dir.path, "none", {
      SQLINK_REMOTE: remote,
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
    });
    const bare = await none.run(["cas", "put", file]);
    assert.equal(bare.code, 0, bare.stderr);
    assert.match(
      bare.stderr,
      /needs credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set/,
    );

    const nobucket = new Machine(dir.path, "nobucket", {
      ...KEYS,
      SQLINK_REMOTE: `s3://no-such-bucket/x?endpoint=${s3.endpoint}`,
    });
    const get = await nobucket.run([
      "cas",
      "get",
      `sha256:${"1".repeat(64)}`,
      "-o",
      join(dir.path, "o"),
    ]);
    assert.equal(get.code, 1);
    assert.equal(linesOf(get.stderr, "warning:").length, 1, get.stderr);
    assert.match(get.stderr, /HTTP 404: NoSuchBucket/);
  } finally {
    await s3.close();
  }
});
