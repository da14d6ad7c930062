/** sqlink's cas-cache, used the way the CLI uses it. */
import { join } from "node:path";
import { CasStore } from "../../lib/cas/store.ts";
import { timed, type Timing } from "./common.ts";
import { checkBlob } from "./data.ts";

/** Blobs per `putMany` call (one transaction each). */
const BATCH = 1000;

function open(dir: string): CasStore {
  // A cap far above any workload, so eviction never runs; compression stays at `auto`.
  return CasStore.open({
    path: join(dir, "cas.sqlite"),
    maxBytes: 64 * 1024 ** 3,
    compress: "auto",
  });
}

/** putMany in batches; every blob read back with readKey in one snapshot. */
export async function many(dir: string, blobs: Uint8Array[]): Promise<Timing> {
  const cas = open(dir);
  try {
    const keys: string[] = [];
    const put = await timed(() => {
      for (let at = 0; at < blobs.length; at += BATCH) {
        const items = blobs.slice(at, at + BATCH).map((bytes) => ({ bytes }));
        for (const r of cas.putMany(items).results) keys.push(r.blake3);
      }
    });
    const get = await timed(() =>
      cas.readSnapshot(() => {
        keys.forEach((key, i) => checkBlob(i, blobs[i], cas.readKey(key)));
      })
    );
    return { put, get };
  } finally {
    cas.close();
  }
}

/** putFiles (streamed in chunks) and exportTo (streamed to a file, verified). */
export async function file(dir: string, src: string, out: string): Promise<Timing> {
  const cas = open(dir);
  try {
    let key = "";
    const put = await timed(() => {
      key = cas.putFiles([src]).results[0].blake3;
    });
    const get = await timed(() => cas.exportTo(cas.info(key)!, out));
    return { put, get };
  } finally {
    cas.close();
  }
}
