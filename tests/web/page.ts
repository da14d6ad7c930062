/// <reference lib="dom" />
/** Driving the `sqlink web` page in Chromium the way a person does: files in, text out. */
import assert from "node:assert/strict";
import type { BrowserContext, Page } from "playwright-core";

/** Open the page and wait until its cache is open (or refused). */
export async function openPage(browser: BrowserContext, url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.state !== "loading", null, {
    timeout: 60_000,
  });
  return page;
}

/** Run `action` and wait until the page has drawn its outcome. */
export async function settle(page: Page, action: () => Promise<unknown>): Promise<void> {
  const before = Number(await page.evaluate(() => document.body.dataset.settled ?? "0"));
  await action();
  await page.waitForFunction(
    (n) => Number(document.body.dataset.settled ?? "0") > n,
    before,
    { timeout: 60_000 },
  );
}

/** Choose `paths` in the page's file input (what dropping them does) and wait for the outcome. */
export function importFiles(page: Page, paths: string[]): Promise<void> {
  return settle(page, () => page.setInputFiles("#files", paths));
}

/** The newest message the page printed (an `error:` with its `hint:`, or a note). */
export async function lastMessage(page: Page): Promise<string> {
  return (await page.locator("#messages > *").first().innerText()).trim();
}

/** Every `error:` the page shows, newest first. */
export function errors(page: Page): Promise<string[]> {
  return page.locator("#messages .error").allInnerTexts();
}

/** What the page shows of a bundle: its set hash and members. */
export async function shownBundle(
  page: Page,
  name: string,
): Promise<{ setHash: string; members: string[] }> {
  const section = page.locator(`section.bundle[data-bundle="${name}"]`);
  assert.equal(await section.count(), 1, `bundle ${name} is shown`);
  const setHash = (await section.locator(".sethash").innerText()).replace("set hash: ", "").trim();
  const members = await section.locator("tr td:nth-child(2)").allInnerTexts();
  return { setHash, members };
}

/** The BLAKE3 keys the artifacts table shows (full, from each cell's title). */
export function shownArtifacts(page: Page): Promise<string[]> {
  return page.locator("#artifacts td:first-child code").evaluateAll((cells) =>
    cells.map((c) => c.getAttribute("title") ?? "")
  );
}
