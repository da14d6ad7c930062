/**
 * The cas-core cases (cases.ts) in a browser worker, on sqlite-wasm in OPFS (opfs-sahpool,
 * a pool of their own): browser_test.ts loads this, bundled, into headless Chromium and
 * reads back one result per case.
 */
import { installNodeBuiltins } from "../../lib/web/node_builtins.ts";
import { openCache, openStorage } from "../../lib/web/cache.ts";
import { CORE_CASES, type CoreHarness } from "./cases.ts";

/** One case's outcome. */
export interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
}

const scope = self as unknown as {
  onmessage: (event: MessageEvent) => void;
  postMessage(message: unknown): void;
};

scope.onmessage = async () => {
  await installNodeBuiltins(new URL("zstd.wasm", import.meta.url).href);
  const storage = await openStorage({ poolName: "sqlink-core-tests" });
  const results: CaseResult[] = [];
  for (const [i, testCase] of CORE_CASES.entries()) {
    const names = new Set<string>();
    const file = (name: string) => {
      const path = `/case${i}-${name}`;
      names.add(path);
      return path;
    };
    const harness: CoreHarness = {
      database: (name) => storage.database(file(name)),
      store: (name, options = {}) => openCache(storage, file(name), options),
    };
    try {
      testCase.run(harness);
      results.push({ name: testCase.name, ok: true });
    } catch (err) {
      results.push({ name: testCase.name, ok: false, error: String((err as Error)?.stack ?? err) });
    } finally {
      for (const name of names) storage.remove(name);
    }
  }
  scope.postMessage({ persistent: storage.persistent, results });
};
