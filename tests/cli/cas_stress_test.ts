/**
 * Stress tests of the cas-cache through the real CLI (SPEC §3): several `sqlink cas put`
 * processes racing on one fresh database, puts killed with SIGKILL at random moments, and a
 * put that waits on a lock longer than the busy timeout. Every run uses real processes and
 * real SQLite files in temporary directories.
 *
 * The random choices (file sizes, subsets, kill delays) come from a seeded generator; set
 * SQLINK_STRESS_SEED to replay a failing run (the seed is part of every failure message).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { digestBytes } from "../../lib/cas/hash.ts";
import { SCHEMA_VERSION } from "../../lib/cas/schema.ts";
import { CasStore } from "../../lib/cas/store.ts";
import { CHUNK_BYTES } from "../../lib/cas/write.ts";
import { MAIN, PERMISSIONS, runSqlink, tempDir } from "../helpers/cli.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

const SEED = Number(Deno.env.get("SQLINK_STRESS_SEED") ?? Date.now() % 2 ** 31);
const WHY = `(SQLINK_STRESS_SEED=${SEED})`;

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function between(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

function shuffled<T>(random: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * `size` fresh bytes: random, or (compressible) random nibbles, so both the raw and the zstd
 * codec are stored. Content is always unique, whatever the seed.
 */
function freshBytes(size: number, compressible: boolean): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) {
    crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536)));
  }
  if (compressible) {
    for (let i = 0; i < size; i++) bytes[i] = 0x61 + (bytes[i] & 0x0f);
  }
  return bytes;
}

/** What the test knows about a file it wrote. */
interface Known {
  blake3: string;
  sha256: string;
  size: number;
}

/** Write a file of `size` fresh bytes and remember its digests. */
function makeFile(
  dir: string,
  name: string,
  size: number,
  known: Map<string, Known>,
  compressible = false,
): string {
  const path = join(dir, name);
  const bytes = freshBytes(size, compressible);
  Deno.writeFileSync(path, bytes);
  const { blake3, sha256 } = digestBytes(bytes);
  known.set(path, { blake3, sha256, size });
  return path;
}

/** How one child process ended. */
interface Exit {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment for children: the test's own, without SQLINK_* settings (a small cap in
 * the developer's shell would evict what the test counts), and with a private cache root.
 */
function childEnv(cacheDir: string): Record<string, string> {
  const env = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([key]) => !key.startsWith("SQLINK_")),
  );
  return { ...env, NO_COLOR: "1", SQLINK_CACHE_DIR: cacheDir };
}

/** Start the real CLI from node, so the test can SIGKILL it with `child.kill`. */
function startSqlink(
  args: string[],
  cacheDir: string,
): { child: ChildProcess; exit: Promise<Exit> } {
  const child = spawn(Deno.execPath(), ["run", "--quiet", ...PERMISSIONS, MAIN, ...args], {
    env: childEnv(cacheDir),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stdout!.on("data", (text: string) => stdout += text);
  child.stderr!.on("data", (text: string) => stderr += text);
  const exit = new Promise<Exit>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, exit };
}

/** A put that must have succeeded: exit 0, nothing on stderr, one JSON result per file. */
interface PutRow {
  path: string;
  blake3: string;
  sha256: string;
  size: number;
  created: boolean;
}

function assertPutOk(
  exit: Exit,
  files: string[],
  known: Map<string, Known>,
  what: string,
): PutRow[] {
  const context = `${what} ${WHY}\nstdout: ${exit.stdout}\nstderr: ${exit.stderr}`;
  assert.equal(exit.signal, null, `${what}: killed by ${exit.signal} ${WHY}`);
  assert.equal(exit.code, 0, `${what}: exit code ${exit.code}; ${context}`);
  assert.equal(exit.stderr, "", `${what}: stderr is not empty; ${context}`);
  const json = JSON.parse(exit.stdout) as { ok: boolean; results: PutRow[] };
  assert.equal(json.ok, true, context);
  assert.equal(json.results.length, files.length, context);
  json.results.forEach((row, i) => {
    assert.equal(row.path, files[i], context);
    const expected = known.get(files[i])!;
    assert.equal(row.blake3, expected.blake3, `${what}: blake3 of ${files[i]} ${WHY}`);
    assert.equal(row.sha256, expected.sha256, `${what}: sha256 of ${files[i]} ${WHY}`);
    assert.equal(row.size, expected.size, `${what}: size of ${files[i]} ${WHY}`);
  });
  return json.results;
}

function rows(db: DatabaseSync, sql: string): Record<string, unknown>[] {
  return db.prepare(sql).all() as Record<string, unknown>[];
}

function fileSize(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * A connection for the checks, which only run queries. It is read-only, except when a kill
 * left a hot rollback journal: a new file is switched to WAL through the rollback journal,
 * so a process killed at that moment leaves one, and only a read-write connection may roll
 * it back (a read-only one fails with "attempt to write a readonly database"). Any sqlite3,
 * sqlink included, rolls it back on open; the test's connection does the same.
 */
function openForChecks(path: string): DatabaseSync {
  const hot = fileSize(`${path}-journal`) > 0;
  return new DatabaseSync(path, { readOnly: !hot, timeout: 15_000 });
}

/** `PRAGMA integrity_check` of the file (see openForChecks). */
function assertIntegrity(path: string, what: string): void {
  const db = openForChecks(path);
  try {
    const result = rows(db, "PRAGMA integrity_check").map((r) => String(r.integrity_check));
    assert.deepEqual(result, ["ok"], `${what}: integrity_check ${WHY}`);
  } finally {
    db.close();
  }
}

/**
 * Structural checks of a cas-cache at schema 3, read-only: every artifact is one the test
 * wrote (right sha256 and size), listed once; chunked artifacts have exactly chunks
 * 0..n-1 whose stored bytes add up; inline ones have their data; no chunk belongs to no
 * artifact. Returns the stored BLAKE3 keys.
 */
function assertStructure(path: string, known: Map<string, Known>, what: string): Set<string> {
  const byHash = new Map([...known.values()].map((k) => [k.blake3, k]));
  const db = openForChecks(path);
  try {
    assert.deepEqual(
      rows(db, "PRAGMA integrity_check").map((r) => String(r.integrity_check)),
      ["ok"],
      `${what}: integrity_check ${WHY}`,
    );
    assert.equal(String(rows(db, "PRAGMA journal_mode")[0].journal_mode), "wal", what);
    const version = rows(db, `SELECT value FROM __cas_meta WHERE key = 'schema_version'`);
    assert.deepEqual(
      version.map((r) => String(r.value)),
      [String(SCHEMA_VERSION)],
      `${what}: schema_version ${WHY}`,
    );

    const dupes = rows(
      db,
      `SELECT blake3, count(*) AS n FROM __cas_artifact GROUP BY blake3 HAVING n > 1`,
    );
    assert.deepEqual(dupes, [], `${what}: duplicate artifact rows ${WHY}`);
    const chunkDupes = rows(
      db,
      `SELECT blake3, seq, count(*) AS n FROM __cas_chunk GROUP BY blake3, seq HAVING n > 1`,
    );
    assert.deepEqual(chunkDupes, [], `${what}: duplicate chunk rows ${WHY}`);
    const orphans = rows(
      db,
      `SELECT DISTINCT blake3 FROM __cas_chunk
       WHERE blake3 NOT IN (SELECT blake3 FROM __cas_artifact)`,
    );
    assert.deepEqual(orphans, [], `${what}: orphan chunk rows ${WHY}`);

    const artifacts = rows(
      db,
      `SELECT a.blake3, a.sha256, a.size, a.chunks, a.stored_size, a.codec,
              a.data IS NULL AS no_data, length(a.data) AS data_len,
              (SELECT count(*) FROM __cas_chunk c WHERE c.blake3 = a.blake3) AS n_chunks,
              (SELECT min(seq) FROM __cas_chunk c WHERE c.blake3 = a.blake3) AS min_seq,
              (SELECT max(seq) FROM __cas_chunk c WHERE c.blake3 = a.blake3) AS max_seq,
              (SELECT total(length(data)) FROM __cas_chunk c WHERE c.blake3 = a.blake3) AS chunk_bytes
       FROM __cas_artifact a`,
    );
    const present = new Set<string>();
    for (const a of artifacts) {
      const blake3 = String(a.blake3);
      const label = `${what}: artifact ${blake3} ${WHY}`;
      const expected = byHash.get(blake3);
      assert.ok(expected, `${label} is not a file the test wrote`);
      assert.equal(String(a.sha256), expected.sha256, label);
      assert.equal(Number(a.size), expected.size, label);
      assert.ok(a.codec === "raw" || a.codec === "zstd", `${label}: codec ${a.codec}`);
      const chunks = Number(a.chunks);
      if (expected.size > CHUNK_BYTES) {
        assert.equal(chunks, Math.ceil(expected.size / CHUNK_BYTES), `${label}: chunk count`);
      } else {
        assert.equal(chunks, 0, `${label}: a small file must be inline`);
      }
      if (chunks === 0) {
        assert.equal(Number(a.no_data), 0, `${label}: inline data missing`);
        assert.equal(Number(a.n_chunks), 0, `${label}: inline artifact with chunk rows`);
        assert.equal(Number(a.data_len), Number(a.stored_size), `${label}: stored_size`);
      } else {
        assert.equal(Number(a.n_chunks), chunks, `${label}: missing or extra chunks`);
        assert.equal(Number(a.min_seq), 0, `${label}: first chunk`);
        assert.equal(Number(a.max_seq), chunks - 1, `${label}: last chunk`);
        assert.equal(Number(a.chunk_bytes), Number(a.stored_size), `${label}: stored_size`);
      }
      present.add(blake3);
    }
    return present;
  } finally {
    db.close();
  }
}

/** Re-hash every artifact in-process (the library's own verify): nothing may be damaged. */
function assertVerifies(path: string, what: string): number {
  const store = CasStore.open({ path });
  try {
    const report = store.verify();
    assert.deepEqual(report.corrupt, [], `${what}: corrupt artifacts ${WHY}`);
    assert.deepEqual(report.danglingUris, [], `${what}: dangling URIs ${WHY}`);
    assert.equal(report.orphanChunks, 0, `${what}: orphan chunks ${WHY}`);
    return report.checked;
  } finally {
    store.close();
  }
}

/** `sqlink cas verify --json` must exit 0 and find `count` intact artifacts. */
async function assertCliVerify(cas: string, count: number, cacheDir: string): Promise<void> {
  const run = await runSqlink(["cas", "verify", "--cas", cas, "--json"], {
    env: { SQLINK_CACHE_DIR: cacheDir },
  });
  const context = `cas verify ${WHY}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
  assert.equal(run.code, 0, context);
  assert.equal(run.stderr, "", context);
  const report = JSON.parse(run.stdout);
  assert.equal(report.ok, true, context);
  assert.equal(report.checked, count, context);
  assert.deepEqual(report.corrupt, [], context);
}

function putArgs(files: string[], cas: string): string[] {
  return ["cas", "put", ...files, "--cas", cas, "--json"];
}

Deno.test("cas put: six processes racing on a fresh cas-cache store every file exactly once", async () => {
  using dir = tempDir("sqlink-stress-race-");
  const random = rng(SEED);
  const known = new Map<string, Known>();
  const files: string[] = [];
  for (let i = 0; i < 36; i++) {
    const size = between(random, 1 * KiB, 300 * KiB);
    files.push(makeFile(dir.path, `small-${i}.bin`, size, known, i % 5 === 0));
  }
  // The boundary of inline storage, and two big files for the chunked path (one compressible).
  files.push(makeFile(dir.path, "exactly-one-chunk.bin", CHUNK_BYTES, known));
  files.push(makeFile(dir.path, "one-chunk-and-a-byte.bin", CHUNK_BYTES + 1, known));
  files.push(makeFile(dir.path, "big-a.bin", 2.5 * MiB + between(random, 0, 64 * KiB), known));
  files.push(
    makeFile(dir.path, "big-b.bin", 2.5 * MiB + between(random, 0, 64 * KiB), known, true),
  );
  // Same bytes under two names: one artifact.
  const twin = join(dir.path, "twin-of-small-1.bin");
  Deno.copyFileSync(files[1], twin);
  known.set(twin, known.get(files[1])!);
  files.push(twin);

  // The database does not exist, nor does its directory: the processes race to create and
  // migrate it too. Process p leaves out the files whose index is p or p+1 modulo 6, so each
  // takes a different two thirds, and every file is put by four processes.
  const cas = join(dir.path, "nested", "cache", "cas.sqlite");
  const procs = 6;
  const subsets = Array.from(
    { length: procs },
    (_, p) =>
      shuffled(random, files.filter((_, i) => i % procs !== p && i % procs !== (p + 1) % procs)),
  );
  const started = performance.now();
  const exits = await Promise.all(
    subsets.map((subset) => startSqlink(putArgs(subset, cas), dir.path).exit),
  );
  const elapsed = performance.now() - started;

  const created = new Map<string, number>();
  exits.forEach((exit, p) => {
    for (const row of assertPutOk(exit, subsets[p], known, `put process ${p}`)) {
      created.set(row.blake3, (created.get(row.blake3) ?? 0) + (row.created ? 1 : 0));
    }
  });
  const unique = new Set([...known.values()].map((k) => k.blake3));
  assert.equal(unique.size, files.length - 1);
  // Exactly one process added each artifact; the others found it present.
  for (const blake3 of unique) {
    assert.equal(created.get(blake3), 1, `artifact ${blake3} reported created ≠ once ${WHY}`);
  }

  const present = assertStructure(cas, known, "after the race");
  assert.deepEqual([...present].sort(), [...unique].sort(), `stored set ${WHY}`);
  await assertCliVerify(cas, unique.size, dir.path);
  assert.ok(elapsed < 60_000, `the race took ${Math.round(elapsed)} ms`);
});

/** How long `run` took to settle, in ms, and what it settled with. */
async function timed(run: () => Promise<Exit>): Promise<{ exit: Exit; ms: number }> {
  const started = performance.now();
  const exit = await run();
  return { exit, ms: performance.now() - started };
}

/** Kill `child` with SIGKILL after `delay` ms (if it is still running). */
function killAfter(child: ChildProcess, delay: number): Promise<void> {
  return new Promise((resolve) =>
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      resolve();
    }, delay)
  );
}

/** A killed put either died of SIGKILL or finished cleanly before the signal came. */
function assertKilledOrOk(exit: Exit, what: string): "killed" | "finished" {
  if (exit.signal === "SIGKILL") return "killed";
  assert.equal(exit.signal, null, `${what}: signal ${exit.signal} ${WHY}`);
  assert.equal(exit.code, 0, `${what}: exit ${exit.code} ${WHY}\nstderr: ${exit.stderr}`);
  assert.equal(exit.stderr, "", `${what}: stderr ${WHY}`);
  return "finished";
}

/** A batch of new files for one trial: a few small ones and two or three multi-MiB ones. */
function makeBatch(
  dir: string,
  trial: string,
  random: () => number,
  known: Map<string, Known>,
): string[] {
  const files = [];
  const smalls = between(random, 2, 4);
  for (let i = 0; i < smalls; i++) {
    files.push(
      makeFile(dir, `${trial}-small-${i}.bin`, between(random, 1 * KiB, 200 * KiB), known),
    );
  }
  const bigs = between(random, 2, 3);
  for (let i = 0; i < bigs; i++) {
    const size = between(random, 2 * MiB, 6 * MiB);
    files.push(makeFile(dir, `${trial}-big-${i}.bin`, size, known, random() < 0.3));
  }
  return shuffled(random, files);
}

Deno.test("cas put: SIGKILL at random moments never leaves the cas-cache half-written", async () => {
  using dir = tempDir("sqlink-stress-kill-");
  const random = rng(SEED ^ 0x5eed);
  const known = new Map<string, Known>();
  const all: string[] = [];
  const cas = join(dir.path, "cas.sqlite");
  const trials = 16;
  const outcomes = { killed: 0, finished: 0 };

  // Calibrate on this machine, now: how long a process takes to start and open the cache
  // (`cas stats`), and how long an unkilled put of a typical batch takes (the faster of two,
  // so one slow moment cannot stretch every delay past the puts). Kill delays fall between
  // the two, so kills land mid-put on fast and slow machines alike.
  let putMs = Infinity;
  for (const name of ["calibrate-a", "calibrate-b"]) {
    const calibration = makeBatch(dir.path, name, random, known);
    all.push(...calibration);
    const took = await timed(() => startSqlink(putArgs(calibration, cas), dir.path).exit);
    assertPutOk(took.exit, calibration, known, "calibration put");
    putMs = Math.min(putMs, took.ms);
  }
  const statsTook = await timed(() => startSqlink(["cas", "stats", "--cas", cas], dir.path).exit);
  assert.equal(statsTook.exit.code, 0, `calibration stats ${WHY}`);
  const latest = Math.max(20, Math.round(putMs * 0.9));
  const earliest = Math.min(Math.round(statsTook.ms * 0.8), latest);
  const killDelay = () => between(random, earliest, latest);

  for (let trial = 0; trial < trials; trial++) {
    const what = `trial ${trial}`;
    const batch = makeBatch(dir.path, `t${trial}`, random, known);
    all.push(...batch);
    // Mode 0: one put, killed. Mode 1: a second put runs alongside and must succeed.
    // Mode 2: two puts, both killed at different moments.
    const mode = trial % 3;
    const victim = startSqlink(putArgs(batch, cas), dir.path);
    const waits: Promise<unknown>[] = [killAfter(victim.child, killDelay())];
    let other: { files: string[]; exit: Promise<Exit> } | undefined;
    let second: Promise<Exit> | undefined;
    if (mode === 1) {
      // Its own new files plus some of the victim's, so both want the same rows.
      const files = [
        ...makeBatch(dir.path, `t${trial}-other`, random, known),
        ...batch.slice(0, 2),
      ];
      all.push(...files.slice(0, -2));
      other = { files, exit: startSqlink(putArgs(files, cas), dir.path).exit };
    } else if (mode === 2) {
      const files = makeBatch(dir.path, `t${trial}-second`, random, known);
      all.push(...files);
      const started = startSqlink(putArgs(files, cas), dir.path);
      waits.push(killAfter(started.child, killDelay()));
      second = started.exit;
    }
    await Promise.all(waits);
    outcomes[assertKilledOrOk(await victim.exit, `${what} victim`)]++;
    if (second) outcomes[assertKilledOrOk(await second, `${what} second victim`)]++;
    if (other) assertPutOk(await other.exit, other.files, known, `${what} concurrent put`);

    // The first trial may have died before the file, or its schema, existed.
    if (fileSize(cas) > 0) assertIntegrity(cas, what);
    // Reopening migrates whatever a kill left half-created, then every row must verify.
    assertVerifies(cas, what);
    const present = assertStructure(cas, known, what);
    if (other) {
      for (const file of other.files) {
        assert.ok(present.has(known.get(file)!.blake3), `${what}: ${file} missing ${WHY}`);
      }
    }
  }
  // Most kills must have landed: every delay is shorter than a measured put.
  assert.ok(
    outcomes.killed >= trials / 2,
    `only ${outcomes.killed} puts were killed after ${earliest}-${latest} ms ${WHY}`,
  );

  // The store stays usable: putting everything succeeds and everything is there.
  const final = await startSqlink(putArgs(all, cas), dir.path).exit;
  assertPutOk(final, all, known, "final put");
  const present = assertStructure(cas, known, "after the final put");
  const expected = new Set(all.map((file) => known.get(file)!.blake3));
  assert.deepEqual([...present].sort(), [...expected].sort(), `stored set ${WHY}`);
  await assertCliVerify(cas, expected.size, dir.path);
});

Deno.test("cas put: SIGKILL while racing to create and migrate a fresh cas-cache", async () => {
  using dir = tempDir("sqlink-stress-fresh-");
  const random = rng(SEED ^ 0xf4e54);
  const known = new Map<string, Known>();
  const files = [
    makeFile(dir.path, "a.bin", 10 * KiB, known),
    makeFile(dir.path, "b.bin", 3 * MiB, known),
  ];
  for (let trial = 0; trial < 10; trial++) {
    const what = `fresh trial ${trial}`;
    const cas = join(dir.path, `fresh-${trial}`, "cas.sqlite");
    // Two processes start on a database that does not exist; both are killed around the
    // moment a cold sqlink opens it (start-up takes ~100-200 ms).
    const a = startSqlink(putArgs(files, cas), dir.path);
    const b = startSqlink(putArgs([...files].reverse(), cas), dir.path);
    await Promise.all([
      killAfter(a.child, between(random, 80, 300)),
      killAfter(b.child, between(random, 80, 300)),
    ]);
    assertKilledOrOk(await a.exit, `${what} a`);
    assertKilledOrOk(await b.exit, `${what} b`);
    // Killed before the file was created, or before anything was written to it.
    if (fileSize(cas) > 0) assertIntegrity(cas, what);
    // A fresh process must open whatever was left, finish the migration and put.
    const after = await startSqlink(putArgs(files, cas), dir.path).exit;
    assertPutOk(after, files, known, `${what} put after the kill`);
    assertStructure(cas, known, what);
    assertVerifies(cas, what);
  }
});

// Slow by design: sqlink must wait out its whole 15 s busy timeout before giving up.
Deno.test("cas put: a cas-cache locked past the busy timeout is a clear error", async () => {
  using dir = tempDir("sqlink-stress-lock-");
  const known = new Map<string, Known>();
  const file = makeFile(dir.path, "small.bin", 4 * KiB, known);
  const other = makeFile(dir.path, "other.bin", 4 * KiB, known);
  const cas = join(dir.path, "cas.sqlite");
  assertPutOk(await startSqlink(putArgs([other], cas), dir.path).exit, [other], known, "setup");

  const holder = new DatabaseSync(cas, { timeout: 1000 });
  let run: Exit;
  const started = performance.now();
  try {
    holder.exec("BEGIN IMMEDIATE");
    run = await startSqlink(["cas", "put", file, "--cas", cas], dir.path).exit;
  } finally {
    if (holder.isTransaction) holder.exec("ROLLBACK");
    holder.close();
  }
  const waited = performance.now() - started;
  const context = `stdout: ${run.stdout}\nstderr: ${run.stderr}`;
  assert.equal(run.code, 1, context);
  assert.ok(run.stderr.startsWith("error: The cas-cache"), context);
  assert.match(run.stderr, /locked/, context);
  assert.ok(!run.stderr.includes("    at "), `a stack trace leaked: ${context}`);
  assert.equal(run.stdout, "", context);
  assert.ok(waited >= 14_000, `gave up after ${Math.round(waited)} ms, before the busy timeout`);

  // Nothing was written, and once the lock is gone the same put succeeds.
  const present = assertStructure(cas, known, "after the locked put");
  assert.ok(!present.has(known.get(file)!.blake3));
  assertPutOk(await startSqlink(putArgs([file], cas), dir.path).exit, [file], known, "retry");
});
