/// <reference lib="dom" />
/**
 * `sqlink web` end to end, in headless Chromium: a bundle made by the CLI goes into the
 * page's cache, survives a reload and a browser restart, comes back out as an archive the
 * CLI imports into a fresh cache and loads with `--bundle`: the same set_hash and bytes at
 * each step. A screenshot is checked for the cache's contents.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { serveWeb } from "../../lib/web/server.ts";
import { blake3Hex } from "../../lib/cas/blake3.ts";
import { BROWSER_TEST, launchChromium } from "../helpers/chromium.ts";
import { extensions, TestCache } from "../helpers/extensions.ts";
import { tempDir } from "../helpers/cli.ts";
import { importFiles, lastMessage, openPage, settle, shownArtifacts, shownBundle } from "./page.ts";
import type { Page } from "playwright-core";

/**
 * True when the screenshot `png` shows ink inside the box of each of `selectors` (the page
 * itself decodes the PNG: the picture, not the DOM, is what is checked).
 */
async function inkedIn(page: Page, png: Uint8Array, selectors: string[]): Promise<number[]> {
  const boxes = [];
  for (const selector of selectors) {
    const box = await page.locator(selector).first().boundingBox();
    assert.ok(box, `${selector} is laid out`);
    boxes.push(box);
  }
  const data = `data:image/png;base64,${btoa(String.fromCharCode(...png))}`;
  return await page.evaluate(async ({ data, boxes }) => {
    const image = new Image();
    image.src = data;
    await image.decode();
    const canvas = new OffscreenCanvas(image.width, image.height);
    const context = canvas.getContext("2d")!;
    context.drawImage(image, 0, 0);
    return boxes.map((b) => {
      const pixels =
        context.getImageData(b.x, b.y, Math.max(1, b.width), Math.max(1, b.height)).data;
      let dark = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i] + pixels[i + 1] + pixels[i + 2] < 300) dark++;
      }
      return dark;
    });
  }, { data, boxes });
}

/** The set_hash `sqlink bundle show --json` reports. */
async function bundleSetHash(cache: TestCache, name: string): Promise<string> {
  const shown = await cache.json("bundle", "show", name);
  return (shown.bundle as { setHash: string }).setHash;
}

Deno.test({
  name:
    "sqlink web: CLI export → page import → reload and restart → page export → CLI import → --bundle",
  ...BROWSER_TEST,
  fn: async () => {
    const ext = await extensions();
    using source = new TestCache();
    using target = new TestCache();
    using work = tempDir("sqlink-web-test-");
    let r = await source.cli("bundle", "save", "explore", ext.vec9.path, ext.lines.path);
    assert.equal(r.code, 0, r.stderr);
    const cliArchive = join(work.path, "explore.sqlink");
    r = await source.cli("cas", "export", "explore", "-o", cliArchive);
    assert.equal(r.code, 0, r.stderr);
    const setHash = await bundleSetHash(source, "explore");
    assert.match(setHash, /^[0-9a-f]{64}$/);

    const server = await serveWeb();
    const profile = join(work.path, "profile");
    let browser = await launchChromium(profile);
    try {
      let page = await openPage(browser, server.url);
      assert.equal(await page.evaluate(() => document.body.dataset.state), "ready");
      assert.match(await page.locator("#storage").innerText(), /OPFS, opfs-sahpool/);
      assert.match(
        await page.locator("#native-notice").innerText(),
        /cannot load\s+native extensions/,
      );
      await importFiles(page, [cliArchive]);
      assert.match(
        await lastMessage(page),
        /imported bundle "explore" \(set [0-9a-f]{12}\): 2 blob\(s\) added/,
      );
      assert.deepEqual(await shownBundle(page, "explore"), {
        setHash,
        members: ["vec0", "lines0"],
      });
      assert.deepEqual(
        (await shownArtifacts(page)).sort(),
        [ext.vec9.blake3, ext.lines.blake3].sort(),
      );

      // The screenshot shows the cache: ink where the bundle, its set hash and the artifacts are.
      const shot = await page.screenshot({ fullPage: true });
      const keep = Deno.env.get("SQLINK_TEST_SCREENSHOT"); // to look at it: a path to keep it
      if (keep) Deno.writeFileSync(keep, shot);
      const ink = await inkedIn(page, shot, [
        'section.bundle[data-bundle="explore"] h3',
        'section.bundle[data-bundle="explore"] .sethash',
        "#artifacts td:first-child code",
        "#uris td:first-child",
      ]);
      assert.ok(ink.every((n) => n > 20), `ink per region: ${ink}`);

      // Persisted: a reload, then a browser restart on the same profile.
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.state === "ready");
      assert.equal((await shownBundle(page, "explore")).setHash, setHash);
      await browser.close();
      browser = await launchChromium(profile);
      page = await openPage(browser, server.url);
      assert.equal((await shownBundle(page, "explore")).setHash, setHash);

      // The page's verify and export.
      await settle(page, () => page.click("#verify"));
      assert.equal(await lastMessage(page), "checked 2 artifact(s): all intact");
      const pageArchive = join(work.path, "from-page.sqlink");
      const download = page.waitForEvent("download");
      await settle(page, () => page.click('section.bundle[data-bundle="explore"] button'));
      await (await download).saveAs(pageArchive);
      assert.match(await lastMessage(page), /exported bundle "explore"/);
    } finally {
      await browser.close();
      await server.close();
    }

    // The CLI imports the page's archive into a fresh cache and launches with it.
    const pageArchive = join(work.path, "from-page.sqlink");
    r = await target.cli("cas", "import", pageArchive);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(setHash.slice(0, 12)));
    assert.deepEqual(target.state().artifacts, [ext.vec9.blake3, ext.lines.blake3].sort());
    for (const fixture of [ext.vec9, ext.lines]) {
      const out = join(work.path, `${fixture.name}.out`);
      r = await target.cli("cas", "get", fixture.blake3, "-o", out);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(blake3Hex(Deno.readFileSync(out)), fixture.blake3, `${fixture.name} bytes`);
    }
    assert.equal(await bundleSetHash(target, "explore"), setHash);
    r = await target.shell([
      "--bundle",
      "explore",
      ":memory:",
      "select vec_version(), lines_version()",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "v0.1.9|v0.2.2");
  },
});
