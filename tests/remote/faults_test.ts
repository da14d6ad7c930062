/**
 * A remote that is down, slow, failing, lying, read-only or refusing our credentials never
 * breaks local work (SPEC §10): one warning naming it, then the process stops asking it;
 * refused credentials get a hint, and never appear in output. Every server here is real:
 * nginx with WebDAV, or an HTTP server on loopback that fails on purpose.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { digestBytes } from "../../lib/cas/hash.ts";
import { tempDir } from "../helpers/cli.ts";
import { freePort, startNginx } from "../../scripts/nginx.ts";
import { faultServer, linesOf, Machine, objects } from "./helpers.ts";

function randomFile(dir: string, name: string, size: number): {
  path: string;
  bytes: Uint8Array;
  sha256: string;
  blake3: string;
} {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) {
    crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536)));
  }
  const path = join(dir, name);
  Deno.writeFileSync(path, bytes);
  return { path, bytes, ...digestBytes(bytes) };
}

function artifacts(machine: Machine): Promise<number> {
  return machine.run(["cas", "stats", "--json"]).then((r) => JSON.parse(r.stdout).artifacts);
}

async function remoteStats(machine: Machine): Promise<Record<string, Record<string, number>>> {
  const stats = JSON.parse((await machine.run(["cas", "stats", "--json"])).stdout);
  return Object.fromEntries(
    stats.remotes.map((r: Record<string, number> & { remote: string }) => [r.remote, r]),
  );
}

Deno.test("a remote that is down: cas put and cas get go on locally with one warning naming it, quickly", async () => {
  using dir = tempDir();
  const down = `http://127.0.0.1:${freePort()}/team`;
  const laptop = new Machine(dir.path, "laptop", { SQLINK_REMOTE: down });
  const a = randomFile(dir.path, "a.bin", 10_000);
  const b = randomFile(dir.path, "b.bin", 20_000);
  const put = await laptop.run(["cas", "put", a.path, b.path]);
  assert.equal(put.code, 0, put.stderr);
  assert.match(put.stdout, new RegExp(`^${a.blake3}  added`, "m"));
  const warnings = linesOf(put.stderr, "warning:");
  assert.equal(warnings.length, 1, put.stderr);
  assert.match(
    warnings[0],
    new RegExp(`Remote ${down.replaceAll(".", "\\.")} failed \\(cannot connect`),
  );
  assert.match(warnings[0], /going on without it/);
  assert.equal(await artifacts(laptop), 2);

  const missing = "9".repeat(64);
  const get = await laptop.run(["cas", "get", `sha256:${missing}`, "-o", join(dir.path, "x")]);
  assert.equal(get.code, 1);
  assert.equal(linesOf(get.stderr, "warning:").length, 1, get.stderr);
  assert.match(get.stderr, /^error: No artifact in the cas-cache matches/m);
  const stats = await remoteStats(laptop);
  assert.equal(stats[down].errors, 2);
});

Deno.test("a remote that takes no connection: connect-timeout ends the wait with one warning", async () => {
  using dir = tempDir();
  // A listener that never accepts: once its backlog is full, the kernel drops new SYNs and
  // a connect hangs, as with a host that is down behind a firewall.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const held: Deno.Conn[] = [];
  const pending: Promise<unknown>[] = [];
  try {
    let hanging = false;
    for (let i = 0; i < 5000 && !hanging; i++) {
      const attempt = Deno.connect({ hostname: "127.0.0.1", port }).then((c) => held.push(c));
      const won = await Promise.race([
        attempt.then(() => "connected"),
        new Promise((r) => setTimeout(() => r("hanging"), 300)),
      ]);
      if (won === "hanging") {
        hanging = true;
        pending.push(attempt.catch(() => {}));
      }
    }
    assert.ok(hanging, "the backlog filled up");
    const laptop = new Machine(dir.path, "laptop", {
      SQLINK_REMOTE: `http://127.0.0.1:${port}/x|connect-timeout=500`,
    });
    const get = await laptop.run([
      "cas",
      "get",
      `sha256:${"b".repeat(64)}`,
      "-o",
      join(dir.path, "o"),
    ], { timeoutMs: 30_000 });
    assert.equal(get.code, 1, get.stderr);
    const warnings = linesOf(get.stderr, "warning:");
    assert.equal(warnings.length, 1, get.stderr);
    assert.match(
      warnings[0],
      new RegExp(`no connection to 127\\.0\\.0\\.1:${port} within 0\\.5 s`),
    );
  } finally {
    listener.close();
    for (const conn of held) conn.close();
    await Promise.all(pending);
    for (const conn of held) {
      try {
        conn.close();
      } catch {
        // Closed above.
      }
    }
  }
});

Deno.test("a remote answering 5xx is asked once, warned about once, and the next remote still gets the blobs", async () => {
  using dir = tempDir();
  await using failing = faultServer(() => new Response("boom", { status: 503 }));
  await using nginx = await startNginx();
  const env = { SQLINK_REMOTE: `${failing.url}/a ${nginx.origin}/b` };
  const laptop = new Machine(dir.path, "laptop", env);
  const files = [1, 2, 3].map((i) => randomFile(dir.path, `${i}.bin`, 5000 * i));
  const put = await laptop.run(["cas", "put", ...files.map((f) => f.path)]);
  assert.equal(put.code, 0, put.stderr);
  const warnings = linesOf(put.stderr, "warning:");
  assert.equal(warnings.length, 1, put.stderr);
  assert.match(warnings[0], /HEAD .*\/a\/cas\/[0-9a-f]{64} failed with HTTP 503/);
  assert.equal(failing.seen.length, 1, `asked once: ${failing.seen}`);
  assert.deepEqual(objects(nginx.root), files.map((f) => `b/cas/${f.sha256}`).sort());

  // Read-through falls through to the second remote just the same.
  const ci = new Machine(dir.path, "ci", env);
  const got = await ci.run(["cas", "pull", `sha256:${files[1].sha256}`, "--json"]);
  assert.equal(got.code, 0, got.stderr);
  assert.equal(JSON.parse(got.stdout).results[0].from.url, `${nginx.origin}/b`);
  assert.equal(linesOf(got.stderr, "warning:").length, 1);
});

Deno.test("a slow remote: a request without progress for operation-timeout fails with one warning and the command ends", async () => {
  using dir = tempDir();
  const stalled = new Set<() => void>();
  await using slow = faultServer((request) => {
    if (request.method === "HEAD") return new Response(null, { status: 404 });
    // Headers and a first piece, then nothing: a server that hangs mid-transfer.
    let release!: () => void;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(1000));
        release = () => {
          try {
            controller.close();
          } catch {
            // The client went away first.
          }
        };
        stalled.add(release);
      },
    });
    return new Response(body, { headers: { "content-length": "100000" } });
  });
  const laptop = new Machine(dir.path, "laptop", {
    SQLINK_REMOTE: `${slow.url}/s|operation-timeout=1000`,
  });
  const baseline = Date.now();
  await laptop.run(["cas", "stats"]);
  const started = Date.now();
  const spawnCost = started - baseline;
  const get = await laptop.run([
    "cas",
    "get",
    `sha256:${"a".repeat(64)}`,
    "-o",
    join(dir.path, "o"),
  ], {
    timeoutMs: 30_000,
  });
  for (const release of stalled) release();
  const took = Date.now() - started - spawnCost;
  assert.equal(get.code, 1, get.stderr);
  const warnings = linesOf(get.stderr, "warning:");
  assert.equal(warnings.length, 1, get.stderr);
  assert.match(warnings[0], /made no progress for 1 s/);
  assert.ok(took < 8_000, `waited ${took} ms beyond a plain run for a 1 s timeout`);
  assert.equal(await artifacts(laptop), 0);
  const leftovers = [...Deno.readDirSync(laptop.root)].map((e) => e.name).filter((n) =>
    n.includes("download")
  );
  assert.deepEqual(leftovers, []);
});

Deno.test("a remote sending flipped bytes: quarantined, reported once with the URL and both hashes, counted, never cached; the next remote serves the truth", async () => {
  using dir = tempDir();
  const blob = randomFile(dir.path, "blob.bin", 300_000);
  const flipped = blob.bytes.slice();
  flipped[1234] ^= 0xff;
  const found = digestBytes(flipped);
  await using liar = faultServer(() => new Response(flipped));
  await using nginx = await startNginx();
  const truth = new Machine(dir.path, "truth", { SQLINK_REMOTE: `${nginx.origin}/t` });
  assert.equal((await truth.run(["cas", "put", blob.path])).code, 0);

  const alone = new Machine(dir.path, "alone", { SQLINK_REMOTE: `${liar.url}/l` });
  const refused = await alone.run([
    "cas",
    "get",
    `sha256:${blob.sha256}`,
    "-o",
    join(dir.path, "x"),
  ]);
  assert.equal(refused.code, 1);
  const warning = linesOf(refused.stderr, "warning:");
  assert.equal(warning.length, 1, refused.stderr);
  assert.ok(warning[0].includes(`${liar.url}/l/cas/${blob.sha256}`), warning[0]);
  assert.ok(warning[0].includes(`sha256 ${found.sha256}`), warning[0]);
  assert.ok(warning[0].includes(`blake3 ${found.blake3}`), warning[0]);
  assert.match(warning[0], /quarantined in .*quarantine/);
  assert.equal(await artifacts(alone), 0);
  const kept = join(alone.root, "quarantine", `${blob.sha256}.${found.sha256}`);
  assert.deepEqual(Deno.readFileSync(kept), flipped);
  const stats = await remoteStats(alone);
  assert.equal(stats[`${liar.url}/l`].quarantined, 1);
  assert.equal(stats[`${liar.url}/l`].errors, 1);

  const both = new Machine(dir.path, "both", {
    SQLINK_REMOTE: `${liar.url}/l ${nginx.origin}/t`,
  });
  const out = join(dir.path, "good.bin");
  const got = await both.run(["cas", "get", `sha256:${blob.sha256}`, "-o", out]);
  assert.equal(got.code, 0, got.stderr);
  assert.equal(linesOf(got.stderr, "warning:").length, 1);
  assert.deepEqual(Deno.readFileSync(out), blob.bytes);
});

Deno.test("wrong credentials: a warning with a hint during local work, one error with a hint for push; the password and token never appear", async () => {
  using dir = tempDir();
  const password = "s3cr3t-pa55";
  await using nginx = await startNginx({ basicAuth: { user: "ci", password } });
  const blob = randomFile(dir.path, "blob.bin", 4096);
  const wrong = `http://ci:not-${password}@127.0.0.1:${nginx.port}/team`;
  const laptop = new Machine(dir.path, "laptop", { SQLINK_REMOTE: wrong });

  const put = await laptop.run(["cas", "put", blob.path]);
  assert.equal(put.code, 0, put.stderr);
  assert.equal(linesOf(put.stderr, "warning:").length, 1, put.stderr);
  assert.match(put.stderr, /refused sqlink's credentials: HEAD .* HTTP 401/);
  assert.match(put.stderr, /^hint: Check the remote's credentials: SQLINK_REMOTE_TOKEN/m);

  const push = await laptop.run(["cas", "push", "--all", "--json"]);
  assert.equal(push.code, 1);
  assert.equal(linesOf(push.stderr, "error:").length, 1, push.stderr);
  assert.equal(JSON.parse(push.stdout).error.code, "EREMOTEAUTH");
  const ls = await laptop.run(["remote", "ls", "--json"]);
  for (const run of [put, push, ls]) {
    assert.ok(
      !run.stdout.includes(password) && !run.stderr.includes(password),
      run.stdout + run.stderr,
    );
  }
  assert.equal(JSON.parse(ls.stdout).remotes[0].url, `http://ci:***@127.0.0.1:${nginx.port}/team`);
  assert.deepEqual(objects(nginx.root), []);

  // The right password in the URL, then from netrc.
  const right = await laptop.run(["cas", "push", "--all"], {
    env: { SQLINK_REMOTE: `http://ci:${password}@127.0.0.1:${nginx.port}/team` },
  });
  assert.equal(right.code, 0, right.stderr);
  assert.ok(!right.stdout.includes(password));
  assert.deepEqual(objects(nginx.root), [`team/cas/${blob.sha256}`]);
  const netrc = join(dir.path, "netrc");
  Deno.writeTextFileSync(netrc, `machine 127.0.0.1 login ci password ${password}\n`);
  const viaNetrc = await new Machine(dir.path, "ci", {
    SQLINK_REMOTE: `${nginx.origin}/team`,
    NETRC: netrc,
  }).run(["cas", "pull", `sha256:${blob.sha256}`]);
  assert.equal(viaNetrc.code, 0, viaNetrc.stderr);
});

Deno.test("a bearer token from SQLINK_REMOTE_TOKEN: accepted when right, a hint when wrong, never printed", async () => {
  using dir = tempDir();
  const token = "tok-1234567890abcdef";
  await using nginx = await startNginx({ bearer: token });
  const blob = randomFile(dir.path, "blob.bin", 4096);
  const env = { SQLINK_REMOTE: `${nginx.origin}/team` };
  const good = await new Machine(dir.path, "good", { ...env, SQLINK_REMOTE_TOKEN: token }).run([
    "cas",
    "put",
    blob.path,
    "--json",
  ]);
  assert.equal(good.code, 0, good.stderr);
  assert.equal(JSON.parse(good.stdout).remotes[0].uploaded, 1);
  const bad = await new Machine(dir.path, "bad", { ...env, SQLINK_REMOTE_TOKEN: token + "x" })
    .run(["cas", "pull", `sha256:${blob.sha256}`]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^error: Remote .* refused sqlink's credentials: GET .* HTTP 401/m);
  assert.match(bad.stderr, /^hint: Check the remote's credentials/m);
  assert.ok(!bad.stderr.includes(token) && !bad.stdout.includes(token));
});

Deno.test("a read-only remote: reads work, nothing is uploaded; push says there is no read-write remote", async () => {
  using dir = tempDir();
  await using nginx = await startNginx();
  const blob = randomFile(dir.path, "blob.bin", 8192);
  const other = randomFile(dir.path, "other.bin", 8192);
  const writer = new Machine(dir.path, "writer", { SQLINK_REMOTE: `${nginx.origin}/m` });
  assert.equal((await writer.run(["cas", "put", blob.path])).code, 0);
  const reader = new Machine(dir.path, "reader", {
    SQLINK_REMOTE: `${nginx.origin}/m|read-only`,
  });
  const put = await reader.run(["cas", "put", other.path, "--json"]);
  assert.equal(put.code, 0, put.stderr);
  assert.deepEqual(JSON.parse(put.stdout).remotes, []);
  assert.equal(put.stderr, "");
  assert.deepEqual(objects(nginx.root), [`m/cas/${blob.sha256}`]);
  const push = await reader.run(["cas", "push", "--all"]);
  assert.equal(push.code, 1);
  assert.match(push.stderr, /^error: Cannot push: no read-write remote is configured/m);
  const pull = await reader.run(["cas", "pull", `sha256:${blob.sha256}`]);
  assert.equal(pull.code, 0, pull.stderr);

  // A server that refuses writes (403) to a remote configured read-write: a warning.
  await using mirror = await startNginx({ readOnly: true });
  const refused = await new Machine(dir.path, "r2", { SQLINK_REMOTE: `${mirror.origin}/m` }).run([
    "cas",
    "put",
    other.path,
  ]);
  assert.equal(refused.code, 0, refused.stderr);
  assert.match(refused.stderr, /refused sqlink's credentials: PUT .* HTTP 403/);
  assert.deepEqual(objects(mirror.root), []);
});

Deno.test("a streamed PUT the server stored short is removed again and reported; nothing partial stays visible", async () => {
  using dir = tempDir();
  const stored = new Map<string, number>();
  const framing: string[] = [];
  await using shortening = faultServer(async (request) => {
    const path = new URL(request.url).pathname;
    if (request.method === "PUT") {
      // Sent with its length, not chunked (S3 refuses a chunked PUT).
      framing.push(
        `${request.headers.get("content-length")} ${request.headers.get("transfer-encoding")}`,
      );
      const body = new Uint8Array(await request.arrayBuffer());
      stored.set(path, Math.floor(body.length / 2));
      return new Response(null, { status: 201 });
    }
    if (request.method === "DELETE") {
      stored.delete(path);
      return new Response(null, { status: 204 });
    }
    const size = stored.get(path);
    if (size === undefined) return new Response(null, { status: 404 });
    return new Response(null, { status: 200, headers: { "content-length": String(size) } });
  });
  // Over 4 MiB: sent streamed from a file, the kind of body a cut connection shortens.
  const blob = randomFile(dir.path, "blob.bin", 5_000_000);
  const laptop = new Machine(dir.path, "laptop", { SQLINK_REMOTE: `${shortening.url}/x` });
  const push = await laptop.run(["cas", "put", blob.path]);
  assert.equal(push.code, 0, push.stderr);
  assert.match(
    push.stderr,
    /holds 2500000 bytes at .* after a PUT of 5000000; the object was removed/,
  );
  assert.equal(stored.size, 0);
  assert.ok(shortening.seen.includes(`DELETE /x/cas/${blob.sha256}`));
  assert.deepEqual(framing, ["5000000 null"]);
});
