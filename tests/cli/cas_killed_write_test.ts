/**
 * Writes killed half-way leave nothing stale for long (SPEC §2: writes are temp file +
 * rename): a `cas get -o FILE` or `cas export BUNDLE -o FILE` killed with SIGKILL mid-write
 * leaves its temporary file (for export, the temporary database with its -wal and -shm)
 * beside the target, and the next write of that target removes it. A temporary file whose
 * writer is alive is never touched. The real CLI, a real 200 MiB blob, a real kill -9.
 */
import assert from "node:assert/strict";
import { basename, dirname, join } from "node:path";
import { readArchive } from "../../lib/bundle/archive/import.ts";
import { saveBundle } from "../../lib/bundle/registry.ts";
import { blake3Hex } from "../../lib/cas/hash.ts";
import { CasStore } from "../../lib/cas/store.ts";
import { runSqlink, sqlinkCommand, tempDir } from "../helpers/cli.ts";
import { randomBytes } from "../cas/helpers.ts";

const MiB = 1024 * 1024;

function casEnv(dir: string): Record<string, string> {
  return {
    SQLINK_CACHE_DIR: join(dir, "cache"),
    SQLINK_CAS: "",
    SQLINK_CAS_MAX_BYTES: "",
    SQLINK_CAS_COMPRESS: "",
    SQLINK_SIGNING_KEY: "",
  };
}

/** The temporary siblings of `target` (tempSibling names, and what SQLite keeps beside one). */
function tempsOf(target: string): string[] {
  const prefix = `.${basename(target)}.`;
  return [...Deno.readDirSync(dirname(target))]
    .map((entry) => entry.name)
    .filter((name) => name.startsWith(prefix) && /\.tmp(-wal|-shm|-journal)?$/.test(name))
    .sort();
}

function sizeOf(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch {
    return -1;
  }
}

/** Poll until `ready` holds; fail after `ms`. */
async function waitFor(what: string, ready: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Run sqlink with `args`, kill it with SIGKILL once `midWrite` holds, and return the
 * temporary files it left beside `target`.
 */
async function killMidWrite(
  args: string[],
  env: Record<string, string>,
  target: string,
  midWrite: (temps: string[]) => boolean,
): Promise<string[]> {
  const child = sqlinkCommand(args, { env }).spawn();
  try {
    await waitFor(`sqlink ${args.join(" ")} to be writing`, () => midWrite(tempsOf(target)));
  } finally {
    child.kill("SIGKILL");
  }
  const out = await child.output();
  assert.equal(out.signal, "SIGKILL", `sqlink finished before the kill: ${out.code}`);
  return tempsOf(target);
}

Deno.test("a killed cas get -o or cas export -o leaves nothing the next write of the target keeps", async (t) => {
  using dir = tempDir();
  const env = casEnv(dir.path);
  const bytes = randomBytes(200 * MiB);
  const blake3 = blake3Hex(bytes);
  const source = join(dir.path, "blob.bin");
  Deno.writeFileSync(source, bytes);
  const put = await runSqlink(["cas", "put", source], { env });
  assert.equal(put.code, 0, put.stderr);
  const casFile = join(dir.path, "cache", "cas.sqlite");
  const store = CasStore.open({ path: casFile });
  saveBundle(store, "big", [{ extensionName: "big", contentHash: blake3, entryPoint: null }]);
  store.close();
  const outDir = join(dir.path, "out");
  Deno.mkdirSync(outDir);

  await t.step("cas get -o", async () => {
    const target = join(outDir, "restored.bin");
    const args = ["cas", "get", blake3, "-o", target];
    const left = await killMidWrite(args, env, target, (temps) => {
      // The cache is open for reading now: SQLite made its -wal and -shm like the database,
      // 0600 (SPEC §2), though this process runs with the usual umask.
      if (temps.length !== 1 || sizeOf(join(outDir, temps[0])) <= 0) return false;
      for (const file of [casFile, `${casFile}-wal`, `${casFile}-shm`]) {
        assert.equal(Deno.statSync(file).mode! & 0o777, 0o600, file);
      }
      return true;
    });
    assert.equal(left.length, 1, left.join(", "));
    assert.ok(sizeOf(join(outDir, left[0])) < bytes.length, "killed mid-write");
    assert.equal(sizeOf(target), -1, "no partial target");

    // A write of the same target in progress in a live process (this one): it must stay.
    const live = `.restored.bin.${Deno.pid}.4242.tmp`;
    Deno.writeTextFileSync(join(outDir, live), "still being written");
    const again = await runSqlink(args, { env });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(tempsOf(target), [live], "the killed get's temporary file is gone");
    assert.equal(blake3Hex(Deno.readFileSync(target)), blake3);
    Deno.removeSync(join(outDir, live));
  });

  await t.step("cas export -o", async () => {
    const target = join(outDir, "big.sqlink");
    const args = ["cas", "export", "big", "-o", target];
    // Killed once the temporary database is being written through its WAL.
    const left = await killMidWrite(
      args,
      env,
      target,
      (temps) => temps.some((name) => name.endsWith(".tmp-wal") && sizeOf(join(outDir, name)) > 0),
    );
    assert.ok(left.some((name) => name.endsWith(".tmp")), left.join(", "));
    assert.ok(left.some((name) => name.endsWith(".tmp-wal")), left.join(", "));
    assert.equal(sizeOf(target), -1, "no partial archive");

    const live = [`.big.sqlink.${Deno.pid}.4242.tmp`, `.big.sqlink.${Deno.pid}.4242.tmp-wal`];
    for (const name of live) Deno.writeTextFileSync(join(outDir, name), "still being written");
    const again = await runSqlink(args, { env });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(tempsOf(target), live, "the killed export's files are gone");
    const archive = readArchive(target);
    assert.equal(archive.manifest.bundle, "big");
    assert.equal(blake3Hex(archive.blobs[0]), blake3);
  });
});

Deno.test("a cas put of a big file killed half-way leaves the cache as it was", async () => {
  using dir = tempDir();
  const env = casEnv(dir.path);
  const kept = randomBytes(3 * MiB + 1);
  const keptFile = join(dir.path, "kept.bin");
  Deno.writeFileSync(keptFile, kept);
  const first = await runSqlink(["cas", "put", keptFile, "--uri", "note:kept"], { env });
  assert.equal(first.code, 0, first.stderr);
  const big = randomBytes(200 * MiB);
  const bigFile = join(dir.path, "big.bin");
  Deno.writeFileSync(bigFile, big);
  const casFile = join(dir.path, "cache", "cas.sqlite");

  // Killed once a good part of the blob went into the write-ahead log, uncommitted.
  const child = sqlinkCommand(["cas", "put", bigFile, "--uri", "note:big"], { env }).spawn();
  try {
    await waitFor("the put to be storing", () => sizeOf(`${casFile}-wal`) > 64 * MiB);
  } finally {
    child.kill("SIGKILL");
  }
  const out = await child.output();
  assert.equal(out.signal, "SIGKILL", `sqlink finished before the kill: ${out.code}`);

  const store = CasStore.open({ path: casFile });
  try {
    const report = store.verify();
    assert.deepEqual(report.corrupt, []);
    assert.equal(report.orphanChunks, 0, "no chunk of the killed put is left");
    assert.equal(store.list().length, 1);
    assert.deepEqual(store.read(store.resolve("note:kept")), kept);
    assert.equal(store.db.prepare(`SELECT count(*) AS n FROM __cas_chunk`).get()!.n, 4);
    assert.equal(store.stats().storedBytes, kept.length);
  } finally {
    store.close();
  }
  // And the same put, left alone, lands.
  const again = await runSqlink(["cas", "put", bigFile, "--uri", "note:big"], { env });
  assert.equal(again.code, 0, again.stderr);
  const after = CasStore.open({ path: casFile });
  try {
    assert.equal(after.resolve("note:big").blake3, blake3Hex(big));
    assert.deepEqual(after.verify().corrupt, []);
  } finally {
    after.close();
  }
});
