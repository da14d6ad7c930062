/**
 * The browser side of `deno task bench --only browser`: in a module worker of headless
 * Chromium, the page's own cache stack (sqlite-wasm on opfs-sahpool, prepared as the page
 * prepares it) runs put_get.ts once per message, each time on a new cache file.
 */
import { installNodeBuiltins } from "../../lib/web/node_builtins.ts";
import { openCache, openStorage, type Storage } from "../../lib/web/cache.ts";
import { putThenGet, randomBlobs } from "./put_get.ts";

const scope = self as unknown as {
  onmessage: (event: MessageEvent<{ count: number; size: number; round: number }>) => void;
  postMessage(message: unknown): void;
};

let storage: Storage | undefined;

scope.onmessage = async (event) => {
  try {
    if (!storage) {
      await installNodeBuiltins(new URL("zstd.wasm", import.meta.url).href);
      storage = await openStorage({ poolName: "sqlink-bench" });
    }
    const name = `/bench-${event.data.round}.sqlite`;
    const store = openCache(storage, name, { maxBytes: 2 ** 40, compress: "none" });
    try {
      const times = putThenGet(store, randomBlobs(event.data.count, event.data.size));
      scope.postMessage({ ok: true, persistent: storage.persistent, ...times });
    } finally {
      store.close();
      storage.remove(name);
    }
  } catch (err) {
    scope.postMessage({ ok: false, error: String((err as Error)?.stack ?? err) });
  }
};
