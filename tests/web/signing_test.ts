/// <reference lib="dom" />
/**
 * Signed archives in the `sqlink web` page are checked as `cas import` checks them with
 * SQLINK_SIGNING_KEY (the same lib/bundle/signing.ts, HMAC-SHA256 from @noble/hashes in the
 * worker): with the page's signing key, a good signature is verified, another key's and an
 * unsigned archive are refused with nothing written; without one, a signed archive is
 * imported and said to be unchecked; an export with the key is signed, and the CLI verifies it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { serveWeb } from "../../lib/web/server.ts";
import { BROWSER_TEST, launchChromium } from "../helpers/chromium.ts";
import { extensions, TestCache } from "../helpers/extensions.ts";
import { runSqlink, tempDir } from "../helpers/cli.ts";
import { importFiles, lastMessage, openPage, settle, shownArtifacts } from "./page.ts";

const KEY = "team secret";

Deno.test({
  name: "sqlink web: signed archives verified with the page's signing key, as the CLI does",
  ...BROWSER_TEST,
  fn: async () => {
    const ext = await extensions();
    using cli = new TestCache();
    using work = tempDir("sqlink-web-signing-");
    let r = await cli.cli("bundle", "save", "explore", ext.vec9.path, ext.lines.path);
    assert.equal(r.code, 0, r.stderr);
    const signed = join(work.path, "signed.sqlink");
    r = await runSqlink(["cas", "export", "explore", "-o", signed], {
      env: { ...cli.env, SQLINK_SIGNING_KEY: KEY },
    });
    assert.equal(r.code, 0, r.stderr);
    const unsigned = join(work.path, "unsigned.sqlink");
    r = await cli.cli("cas", "export", "explore", "-o", unsigned);
    assert.equal(r.code, 0, r.stderr);

    const server = await serveWeb();
    const browser = await launchChromium(join(work.path, "profile"));
    const fromPage = join(work.path, "from-page.sqlink");
    try {
      const page = await openPage(browser, server.url);
      const key = page.locator("#signing-key");

      await key.fill("another key");
      await importFiles(page, [signed]);
      let shown = await lastMessage(page);
      assert.match(
        shown,
        /^error: Cannot import "signed\.sqlink": its signature does not match: it was changed after it was signed, or signed with another key\nhint: Export it again signed with the signing key entered in this page/,
      );
      assert.deepEqual(await shownArtifacts(page), [], "nothing written");

      await key.fill(KEY);
      await importFiles(page, [unsigned]);
      shown = await lastMessage(page);
      assert.match(
        shown,
        /^error: Cannot import "unsigned\.sqlink": it is not signed, and a signing key is set, so only signed archives are accepted\nhint: .*clear the page's signing key to accept unsigned archives/,
      );
      assert.deepEqual(await shownArtifacts(page), [], "nothing written");

      await importFiles(page, [signed]);
      assert.match(
        await lastMessage(page),
        /^imported bundle "explore" \(set [0-9a-f]{12}\): 2 blob\(s\) added, 0 already present \(signature verified with the page's signing key\)$/,
      );

      await key.fill("");
      await importFiles(page, [signed]);
      assert.match(
        await lastMessage(page),
        /0 blob\(s\) added, 2 already present \(signed; the signature went unchecked: enter the signing key to check it\)$/,
      );

      // An export with the key is signed.
      await key.fill(KEY);
      const download = page.waitForEvent("download");
      await settle(page, () => page.click('section.bundle[data-bundle="explore"] button'));
      await (await download).saveAs(fromPage);
      assert.match(
        await lastMessage(page),
        /to explore\.sqlink, signed with the page's signing key$/,
      );
    } finally {
      await browser.close();
      await server.close();
    }

    using target = new TestCache();
    r = await runSqlink(["cas", "import", fromPage], {
      env: { ...target.env, SQLINK_SIGNING_KEY: "another key" },
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /its signature does not match/);
    r = await runSqlink(["cas", "import", fromPage], {
      env: { ...target.env, SQLINK_SIGNING_KEY: KEY },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /signature verified with SQLINK_SIGNING_KEY/);
  },
});
