/// <reference lib="dom" />
/**
 * Where OPFS is missing the page keeps its cache in memory and says so. An origin that is
 * not a secure context has no OPFS: the browser is told that a made-up name is the loopback
 * address, so the page is served from http://sqlink.test, not from 127.0.0.1.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { serveWeb } from "../../lib/web/server.ts";
import { BROWSER_TEST, launchChromium } from "../helpers/chromium.ts";
import { extensions } from "../helpers/extensions.ts";
import { tempDir } from "../helpers/cli.ts";
import { importFiles, lastMessage, openPage, shownArtifacts } from "./page.ts";

Deno.test({
  name: "sqlink web: without OPFS, an in-memory cache with a visible notice",
  ...BROWSER_TEST,
  fn: async () => {
    const ext = await extensions();
    using work = tempDir("sqlink-web-memory-");
    const server = await serveWeb();
    const browser = await launchChromium(join(work.path, "profile"), [
      "--host-resolver-rules=MAP sqlink.test 127.0.0.1",
    ]);
    try {
      const url = server.url.replace("127.0.0.1", "sqlink.test");
      const page = await openPage(browser, url);
      assert.equal(await page.evaluate(() => document.body.dataset.state), "ready");
      const notice = page.locator("#memory-notice");
      assert.ok(await notice.isVisible(), "the notice is shown");
      assert.match(
        await notice.innerText(),
        /has no origin private file system \(OPFS\): the cache is kept in memory and is lost when the page closes/,
      );
      await importFiles(page, [ext.vec9.path]);
      assert.match(await lastMessage(page), /^added\s+31dd971fb3a82de4\s+vec0\.so/);
      assert.deepEqual(await shownArtifacts(page), [ext.vec9.blake3]);
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.state === "ready");
      assert.deepEqual(await shownArtifacts(page), [], "as the notice says: gone with the page");
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
