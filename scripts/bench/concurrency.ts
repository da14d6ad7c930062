/**
 * Many writers on one cas-cache, as parallel CI jobs warming a shared cache: WRITERS
 * processes each put DISTINCT blobs of their own and SHARED blobs every writer puts too
 * (4 KiB each, one `put` and so one transaction per blob), all at once; against one process
 * doing the same WRITERS × (DISTINCT + SHARED) puts, in the same run, alternating. Each
 * process generates its blobs before a common start signal, so only the puts are timed.
 * Target: the writers' wall time at most 1.5× the single process's, no errors, and the
 * cache holding every distinct blob once.
 *
 * This file is also the writer: `deno run … concurrency.ts --writer CAS FIRST COUNT`.
 */
import { join } from "node:path";
import { CasStore } from "../../lib/cas/store.ts";
import { fillRandom } from "./data.ts";
import { median } from "./startup.ts";

const WRITERS = 8;
const DISTINCT = 500;
const SHARED = 500;
const SIZE = 4 * 1024;
const TARGET_RATIO = 1.5;

const PERMISSIONS = ["--allow-read", "--allow-write", "--allow-env"];

/** Wall times in milliseconds, one per round. */
export interface ConcurrencyResult {
  singleMs: number[];
  parallelMs: number[];
  errors: number;
  /** Artifacts in the cache after each round, which must be the distinct blob count. */
  artifacts: number[];
}

/** The blob of writer `writer` number `i`: shared blobs are the same for every writer. */
function blob(writer: number, i: number): Uint8Array {
  const bytes = fillRandom(new Uint8Array(SIZE));
  // The first 8 bytes name the blob, so the same (writer, i) always has the same key.
  const view = new DataView(bytes.buffer);
  view.setUint32(0, i < DISTINCT ? writer + 1 : 0);
  view.setUint32(4, i);
  return i < DISTINCT ? bytes : bytes.fill(i % 251, 8);
}

/** The writer: make the blobs of writers [first, first + count), wait for "go", put them. */
async function writer(cas: string, first: number, count: number): Promise<void> {
  const blobs: Uint8Array[] = [];
  for (let w = first; w < first + count; w++) {
    for (let i = 0; i < DISTINCT + SHARED; i++) blobs.push(blob(w, i));
  }
  const store = CasStore.open({ path: cas, maxBytes: 64 * 1024 ** 3, compress: "none" });
  console.log("ready");
  const go = new Uint8Array(3);
  await Deno.stdin.read(go);
  let errors = 0;
  for (const bytes of blobs) {
    try {
      store.put(bytes);
    } catch (err) {
      errors++;
      console.error(`bench writer: ${err instanceof Error ? err.message : err}`);
    }
  }
  store.close();
  console.log(`done ${errors}`);
}

/** Start `writers` processes splitting WRITERS writers' work; time from "go" to the last one done. */
async function round(cas: string, processes: number): Promise<{ ms: number; errors: number }> {
  const per = WRITERS / processes;
  const children = Array.from({ length: processes }, (_, p) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        ...PERMISSIONS,
        import.meta.filename!,
        "--writer",
        cas,
        String(p * per),
        String(per),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn());
  const readers = children.map((c) => c.stdout.pipeThrough(new TextDecoderStream()).getReader());
  const nextLine = async (i: number) => {
    const { value, done } = await readers[i].read();
    if (done) throw new Error("a bench writer exited early");
    return value.trim();
  };
  for (let i = 0; i < processes; i++) {
    if ((await nextLine(i)) !== "ready") throw new Error("a bench writer did not start");
  }
  const writers = children.map((c) => c.stdin.getWriter());
  const started = performance.now();
  await Promise.all(writers.map((w) => w.write(new TextEncoder().encode("go\n"))));
  const done = await Promise.all(children.map((_, i) => nextLine(i)));
  const ms = performance.now() - started;
  await Promise.all(writers.map((w) => w.close()));
  for (const c of children) await c.status;
  readers.forEach((r) => r.releaseLock());
  const errors = done.reduce((n, line) => n + Number(line.split(" ")[1] ?? 1), 0);
  return { ms, errors };
}

function artifactCount(cas: string): number {
  const store = CasStore.open({ path: cas });
  try {
    return store.stats().artifacts;
  } finally {
    store.close();
  }
}

/** `rounds` rounds of one process, then WRITERS processes, each on a fresh cache. */
export async function measureConcurrency(rounds: number): Promise<ConcurrencyResult> {
  const result: ConcurrencyResult = { singleMs: [], parallelMs: [], errors: 0, artifacts: [] };
  for (let r = 0; r < rounds; r++) {
    for (const processes of [1, WRITERS]) {
      const dir = await Deno.makeTempDir({ prefix: "sqlink-bench-concurrency-" });
      try {
        const cas = join(dir, "cas.sqlite");
        const { ms, errors } = await round(cas, processes);
        (processes === 1 ? result.singleMs : result.parallelMs).push(ms);
        result.errors += errors;
        result.artifacts.push(artifactCount(cas));
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }
  }
  return result;
}

/** The report lines: medians, the ratio and PASS/MISS against 1.5× with no errors. */
export function concurrencyReport(r: ConcurrencyResult): string {
  const ratio = median(r.parallelMs) / median(r.singleMs);
  const expected = WRITERS * DISTINCT + SHARED;
  const complete = r.artifacts.every((n) => n === expected);
  const puts = WRITERS * (DISTINCT + SHARED);
  const fmt = (v: number) => `${v.toFixed(0)} ms`;
  const pass = ratio <= TARGET_RATIO && r.errors === 0 && complete;
  return [
    `${WRITERS} writers × (${DISTINCT} distinct + ${SHARED} shared) 4 KiB puts, one transaction ` +
    `each, ${r.singleMs.length} rounds, alternating (median / min):`,
    `  1 process, ${puts} puts        ${fmt(median(r.singleMs))} / ${fmt(Math.min(...r.singleMs))}`,
    `  ${WRITERS} processes at once        ${fmt(median(r.parallelMs))} / ${
      fmt(Math.min(...r.parallelMs))
    }`,
    `  errors ${r.errors}, artifacts ${
      complete ? `${expected} each round` : r.artifacts.join(",")
    }`,
    `  ratio ${ratio.toFixed(2)}× one process (target ≤ ${TARGET_RATIO.toFixed(2)}×, no errors): ${
      pass ? "PASS" : "MISS"
    }`,
  ].join("\n");
}

if (import.meta.main && Deno.args[0] === "--writer") {
  const [, cas, first, count] = Deno.args;
  await writer(cas, Number(first), Number(count));
}
