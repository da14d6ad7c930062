/**
 * The rounds of `deno task bench --only browser` (browser.ts starts this with every
 * permission: playwright reads /proc files Deno grants only to --allow-all): the page's
 * worker in headless Chromium and the Deno driver, alternating; prints one JSON document.
 */
import { join } from "node:path";
import { CasStore } from "../../lib/cas/store.ts";
import { serveWeb } from "../../lib/web/server.ts";
import { chromium } from "playwright-core";
import { type PutGetTimes, putThenGet, randomBlobs } from "./put_get.ts";

import { COUNT, SIZE } from "./put_get.ts";
const CHROMIUM = "/usr/bin/chromium";

/** The best times of each side, and every round's. */
export interface BrowserResult {
  deno: PutGetTimes[];
  browser: PutGetTimes[];
}

function denoRound(dir: string, round: number): PutGetTimes {
  const path = join(dir, `deno-${round}.sqlite`);
  const store = CasStore.open({ path, maxBytes: 2 ** 40, compress: "none" });
  try {
    return putThenGet(store, randomBlobs(COUNT, SIZE));
  } finally {
    store.close();
  }
}

/** Run `rounds` rounds of each side, alternating. */
export async function runRounds(rounds: number): Promise<BrowserResult | string> {
  try {
    Deno.statSync(CHROMIUM);
  } catch {
    return `skipped: no ${CHROMIUM} (apt-get install chromium)`;
  }
  const dir = await Deno.makeTempDir({ prefix: "sqlink-bench-browser-" });
  const server = await serveWeb({
    extraEntries: [{ name: "bench.js", entry: new URL("browser_worker.ts", import.meta.url) }],
  });
  const browser = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}host.json`);
    await page.evaluate(() => {
      const scope = globalThis as unknown as {
        bench: (round: number, count: number, size: number) => Promise<unknown>;
      };
      const worker = new Worker("/bench.js", { type: "module" });
      scope.bench = (round, count, size) =>
        new Promise((resolve) => {
          worker.onmessage = (event) => resolve(event.data);
          worker.postMessage({ round, count, size });
        });
    });
    const result: BrowserResult = { deno: [], browser: [] };
    for (let round = 0; round < rounds; round++) {
      result.deno.push(denoRound(dir, round));
      const answer = await page.evaluate(
        ([round, count, size]) =>
          (globalThis as unknown as {
            bench: (round: number, count: number, size: number) => Promise<unknown>;
          }).bench(round, count, size),
        [round, COUNT, SIZE],
      ) as { ok: boolean; error?: string; persistent?: boolean } & PutGetTimes;
      if (!answer.ok) throw new Error(`the page's worker failed: ${answer.error}`);
      if (!answer.persistent) throw new Error("the page's cache fell back to memory");
      result.browser.push({ putMs: answer.putMs, getMs: answer.getMs });
    }
    return result;
  } finally {
    await browser.close();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  console.log(JSON.stringify(await runRounds(Number(Deno.args[0]) || 5)));
}
