/**
 * The cas-core cases (cases.ts) in real headless Chromium, on sqlite-wasm in OPFS: the same
 * cases deno_test.ts runs on node:sqlite, one step each, under the same names.
 */
import assert from "node:assert/strict";
import { serveWeb } from "../../lib/web/server.ts";
import { BROWSER_TEST, launchChromium } from "../helpers/chromium.ts";
import { CORE_CASES } from "./cases.ts";
import type { CaseResult } from "./browser_worker.ts";

Deno.test({
  name: "cas core (sqlite-wasm in Chromium)",
  ...BROWSER_TEST,
  fn: async (t) => {
    const server = await serveWeb({
      extraEntries: [{
        name: "core_cases.js",
        entry: new URL("browser_worker.ts", import.meta.url),
      }],
    });
    const profile = await Deno.makeTempDir({ prefix: "sqlink-chromium-" });
    const browser = await launchChromium(profile);
    let outcome: { persistent: boolean; results: CaseResult[] };
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}host.json`);
      outcome = await page.evaluate(() =>
        new Promise((resolve, reject) => {
          const worker = new Worker("/core_cases.js", { type: "module" });
          worker.onmessage = (event) => resolve(event.data);
          worker.onerror = (event) => reject(new Error(`worker: ${event.message}`));
          worker.postMessage("run");
        })
      );
    } finally {
      await browser.close();
      await server.close();
      await Deno.remove(profile, { recursive: true });
    }
    assert.equal(outcome.persistent, true, "the cases ran on OPFS, not in memory");
    assert.deepEqual(outcome.results.map((r) => r.name), CORE_CASES.map((c) => c.name));
    for (const result of outcome.results) {
      await t.step(`cas core (sqlite-wasm): ${result.name}`, () => {
        if (!result.ok) throw new Error(result.error);
      });
    }
  },
});
