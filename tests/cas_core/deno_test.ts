/**
 * The cas-core cases (cases.ts) on node:sqlite: each cache and database a file in a fresh
 * private folder, opened the way the CLI opens them.
 */
import { CasStore } from "../../lib/cas/store.ts";
import { openNodeDatabase } from "../../lib/db/node.ts";
import { CORE_CASES, type CoreHarness } from "./cases.ts";

for (const testCase of CORE_CASES) {
  Deno.test(`cas core (node:sqlite): ${testCase.name}`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "sqlink-core-" });
    const harness: CoreHarness = {
      database: (name) =>
        openNodeDatabase(`${dir}/${name}`, { timeout: 15_000, enableForeignKeyConstraints: false }),
      store: (name, options = {}) => CasStore.open({ path: `${dir}/${name}`, ...options }),
    };
    try {
      testCase.run(harness);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
