/** One scenario in its own process, so its peak RSS is its own. */
import { join } from "node:path";
import {
  type ChildResult,
  currentRss,
  FILE_WORKLOADS,
  type ImplName,
  peakRss,
  type Timing,
  type WorkloadName,
  WORKLOADS,
} from "./common.ts";
import { assertSameFile, randomBlobs, writeRandomFile } from "./data.ts";
import * as cacache from "./impl_cacache.ts";
import * as raw from "./impl_raw.ts";
import * as sqlink from "./impl_sqlink.ts";

interface Impl {
  many(dir: string, blobs: Uint8Array[]): Promise<Timing>;
  file(dir: string, src: string, out: string): Promise<Timing>;
}

const IMPLEMENTATIONS: Record<ImplName, Impl> = { sqlink, raw, cacache };

/** Generate the data (untimed), run the scenario in `dir`, print one JSON line. */
export async function runChild(impl: ImplName, workload: WorkloadName, dir: string): Promise<void> {
  const baseRssBytes = currentRss();
  const { count, size } = WORKLOADS[workload];
  const store = join(dir, impl);
  Deno.mkdirSync(store);
  let timing: Timing;
  let peak: ReturnType<typeof peakRss>;
  if (FILE_WORKLOADS.includes(workload)) {
    const src = join(dir, "blob.bin");
    const out = join(dir, "out.bin");
    writeRandomFile(src, size);
    timing = await IMPLEMENTATIONS[impl].file(store, src, out);
    peak = peakRss();
    assertSameFile(src, out);
  } else {
    const blobs = randomBlobs(count, size);
    timing = await IMPLEMENTATIONS[impl].many(store, blobs);
    peak = peakRss();
  }
  const result: ChildResult = {
    impl,
    workload,
    putSeconds: timing.put,
    getSeconds: timing.get,
    bytes: count * size,
    count,
    peakRssBytes: peak.bytes,
    peakRssSource: peak.source,
    baseRssBytes,
  };
  console.log(JSON.stringify(result));
}
