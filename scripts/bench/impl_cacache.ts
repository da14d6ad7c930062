/**
 * npm's cacache, the way its README recommends: promises in flight, streams for big data.
 *
 * cacache is the benchmark's alone, so it stays out of sqlink's module graph and lock file:
 * any npm package in deno.lock is downloaded on sqlink's first start (21 packages for
 * cacache). It is imported by a specifier Deno's graph does not follow, when a child runs
 * it, and locked in scripts/bench/deno.lock (BENCH_LOCK, which the children run with).
 */
import { createReadStream, createWriteStream } from "node:fs";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { timed, type Timing } from "./common.ts";
import { checkBlob } from "./data.ts";

/** The part of cacache's (untyped) API used here. */
interface Cacache {
  put: {
    (cache: string, key: string, data: Uint8Array): Promise<unknown>;
    stream(cache: string, key: string): Writable;
  };
  get: {
    (cache: string, key: string): Promise<{ data: Uint8Array }>;
    stream(cache: string, key: string): Readable;
  };
}

/** cacache's npm specifier, kept out of static analysis (see above). */
const CACACHE = "npm:cacache@21.0.2";

let loaded: Cacache | undefined;

async function load(): Promise<Cacache> {
  loaded ??= ((await import(CACACHE)) as { default: Cacache }).default;
  return loaded;
}

/** Operations in flight at once. */
const CONCURRENCY = 32;

/** Run `task(i)` for i in [0, count) with at most CONCURRENCY running at once. */
async function pool(count: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
}

/** cacache.put / cacache.get, CONCURRENCY at a time. */
export async function many(dir: string, blobs: Uint8Array[]): Promise<Timing> {
  const cacache = await load();
  const put = await timed(() =>
    pool(blobs.length, async (i) => {
      await cacache.put(dir, `k${i}`, blobs[i]);
    })
  );
  const get = await timed(() =>
    pool(blobs.length, async (i) => {
      checkBlob(i, blobs[i], (await cacache.get(dir, `k${i}`)).data);
    })
  );
  return { put, get };
}

/** put.stream piped from the file, get.stream piped to the file. */
export async function file(dir: string, src: string, out: string): Promise<Timing> {
  const cacache = await load();
  const put = await timed(() => pipeline(createReadStream(src), cacache.put.stream(dir, "big")));
  const get = await timed(() => pipeline(cacache.get.stream(dir, "big"), createWriteStream(out)));
  return { put, get };
}
