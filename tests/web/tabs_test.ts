/// <reference lib="dom" />
/**
 * Two tabs of the `sqlink web` page on one browser's cache (one pool of OPFS files, held by
 * one tab at a time): the second is refused with one clear message and a way to take the
 * cache over; taking it over makes the first let go (sqlite-wasm's pauseVfs) and say so, and
 * the first can take it back (unpauseVfs). Nothing is lost or corrupted on the way, and a
 * tab whose holder was closed takes the cache over on reload.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { serveWeb } from "../../lib/web/server.ts";
import { BROWSER_TEST, launchChromium } from "../helpers/chromium.ts";
import { extensions } from "../helpers/extensions.ts";
import { tempDir } from "../helpers/cli.ts";
import { errors, importFiles, lastMessage, openPage, settle, shownArtifacts } from "./page.ts";

const state = (page: Page) => page.evaluate(() => document.body.dataset.state ?? "");
const takeOverButton = (page: Page) =>
  page.evaluate(() => {
    const button = document.getElementById("take-over")!;
    return button.hidden ? "" : button.textContent ?? "";
  });

/** Click the take-over button of `page` and wait until both tabs have drawn the outcome. */
async function takeOver(page: Page, other: Page): Promise<void> {
  const before = Number(await other.evaluate(() => document.body.dataset.settled ?? "0"));
  await settle(page, () => page.click("#take-over"));
  await other.waitForFunction((n) => Number(document.body.dataset.settled ?? "0") > n, before);
}

Deno.test({
  name:
    "sqlink web: a second tab is refused with one message, takes the cache over, and gives it back",
  ...BROWSER_TEST,
  fn: async () => {
    const ext = await extensions();
    using work = tempDir("sqlink-web-tabs-");
    const server = await serveWeb();
    const browser = await launchChromium(join(work.path, "profile"));
    try {
      const first = await openPage(browser, server.url);
      await importFiles(first, [ext.vec9.path]);
      const before = await shownArtifacts(first);
      assert.equal(before.length, 1);

      // The second tab: one message, a way to take the cache over, nothing opened or changed.
      const second = await openPage(browser, server.url);
      assert.equal(await state(second), "failed");
      assert.equal(
        await lastMessage(second),
        "error: The cas-cache is open in another tab of this browser\n" +
          "hint: Use that tab, or take the cache over here (the other tab lets go of it); nothing was changed",
      );
      assert.equal((await errors(second)).length, 1);
      assert.equal(await takeOverButton(second), "Take the cache over");
      assert.equal(await second.locator("#drop").isVisible(), false);
      await settle(first, () => first.click("#verify"));
      assert.equal(await lastMessage(first), "checked 1 artifact(s): all intact");

      // Taken over: the first lets go and says so; the second shows the same cache.
      await takeOver(second, first);
      assert.equal(await state(second), "ready");
      assert.equal(await lastMessage(second), "the cas-cache is open in this tab");
      assert.deepEqual(await shownArtifacts(second), before);
      assert.equal(await takeOverButton(second), "");
      assert.equal(await state(first), "released");
      assert.match(
        await lastMessage(first),
        /^error: The cas-cache was taken over by another tab of this browser\nhint: Use that tab, or take the cache back here/,
      );
      assert.equal(await takeOverButton(first), "Take the cache back");
      assert.equal(await first.locator("#drop").isVisible(), false);

      // The second writes; the first takes the cache back and sees it.
      await importFiles(second, [ext.lines.path]);
      assert.match(await lastMessage(second), /^added\s+[0-9a-f]{16}\s+lines0\.so/);
      await takeOver(first, second);
      assert.equal(await state(first), "ready");
      assert.deepEqual(
        (await shownArtifacts(first)).sort(),
        [ext.vec9.blake3, ext.lines.blake3].sort(),
      );
      assert.equal(await state(second), "released");
      await settle(first, () => first.click("#verify"));
      assert.equal(await lastMessage(first), "checked 2 artifact(s): all intact");

      // A holder that is closed answers nothing: a reload takes the cache over once its
      // worker has let go of the files (the browser ends it: try a few times).
      await first.close();
      let now = "";
      for (let attempt = 0; attempt < 20 && now !== "ready"; attempt++) {
        await second.reload();
        await second.waitForFunction(() => document.body.dataset.state !== "loading");
        now = await state(second);
        if (now !== "ready") await new Promise((done) => setTimeout(done, 250));
      }
      assert.equal(now, "ready");
      assert.equal(await second.locator("#memory-notice").count(), 0, "on OPFS, not in memory");
      assert.equal((await shownArtifacts(second)).length, 2);
      await settle(second, () => second.click("#verify"));
      assert.equal(await lastMessage(second), "checked 2 artifact(s): all intact");
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
