/// <reference lib="dom" />
/**
 * Bad input in the `sqlink web` page is what it is in the CLI: one clear `error:` with a
 * `hint:` per file, nothing written, the cache intact. (A second tab: tabs_test.ts.)
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { serveWeb } from "../../lib/web/server.ts";
import { BROWSER_TEST, launchChromium } from "../helpers/chromium.ts";
import { extensions, TestCache } from "../helpers/extensions.ts";
import { tempDir } from "../helpers/cli.ts";
import { errors, importFiles, lastMessage, openPage, settle, shownArtifacts } from "./page.ts";

/** The offset of `needle` in `haystack`, or -1. */
function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

Deno.test({
  name: "sqlink web: damaged and tampered archives, non-extensions, foreign builds",
  ...BROWSER_TEST,
  fn: async () => {
    const ext = await extensions();
    using cli = new TestCache();
    using work = tempDir("sqlink-web-bad-");
    let r = await cli.cli("bundle", "save", "explore", ext.vec9.path, ext.lines.path);
    assert.equal(r.code, 0, r.stderr);
    const good = join(work.path, "explore.sqlink");
    r = await cli.cli("cas", "export", "explore", "-o", good);
    assert.equal(r.code, 0, r.stderr);
    const bytes = Deno.readFileSync(good);

    const cut = join(work.path, "cut.sqlink");
    Deno.writeFileSync(cut, bytes.subarray(0, bytes.length - 4096));
    // lines0 is stored raw: one flipped bit inside its bytes passes SQLite's checks.
    const lines = Deno.readFileSync(ext.lines.path);
    const at = indexOf(bytes, lines.subarray(8000, 8064));
    assert.ok(at > 0, "lines0's bytes are in the archive");
    const tampered = join(work.path, "tampered.sqlink");
    const edited = bytes.slice();
    edited[at + 10] ^= 1;
    Deno.writeFileSync(tampered, edited);
    const notes = join(work.path, "notes.txt");
    Deno.writeTextFileSync(notes, "not an extension\n");
    const live = cli.casFile; // a cas-cache, in WAL mode: not an archive

    const server = await serveWeb();
    const browser = await launchChromium(join(work.path, "profile"));
    try {
      const page = await openPage(browser, server.url);
      await importFiles(page, [ext.vec9.path]);
      assert.match(
        await lastMessage(page),
        /^added\s+31dd971fb3a82de4\s+vec0\.so\s+as extension:vec0$/,
      );
      const before = await shownArtifacts(page);

      const cases: Array<[string, RegExp, RegExp]> = [
        [
          cut,
          /^error: Cannot import "cut\.sqlink": it is truncated/,
          /hint: .*download or copy the archive again/,
        ],
        [
          tampered,
          /^error: Cannot import "tampered\.sqlink": the blob of member lines0 \(blake3 839a631ac452…\) is corrupt: its bytes hash to/,
          /hint: The archive was damaged or edited/,
        ],
        [
          notes,
          /^error: Cannot load "notes\.txt": it is .*text.*, not a shared library/,
          /hint: SQLite extensions on this machine are/,
        ],
        [
          ext.foreign.path,
          /^error: Cannot load "vec0\.so": it is an ELF 64-bit shared library for .*, and this machine needs/,
          /hint: Get the build of this extension for/,
        ],
        [
          live,
          /^error: Cannot import "cas\.sqlite": it is a SQLite database in WAL mode/,
          /hint: Give a file written by `sqlink cas export/,
        ],
      ];
      for (const [file, message, hint] of cases) {
        await importFiles(page, [file]);
        const shown = await lastMessage(page);
        assert.match(shown, message);
        assert.match(shown, hint);
        assert.equal(shown.split("\n").filter((l) => l.startsWith("error:")).length, 1, shown);
        assert.deepEqual(await shownArtifacts(page), before, `${file} wrote nothing`);
      }
      assert.equal((await errors(page)).length, cases.length);
      await settle(page, () => page.click("#verify"));
      assert.equal(await lastMessage(page), "checked 1 artifact(s): all intact");
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
