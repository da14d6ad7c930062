/**
 * Which SQLite library the shell dlopens: only bytes whose SHA-256 sqlink trusts, from a
 * verified copy in the cache root; anything else is refused with one message.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runSqlink, tempDir } from "../helpers/cli.ts";
import { libraryPath, TRUSTED_SHA256 } from "../../lib/sqlite/library.ts";

const system = libraryPath();
const haveTrusted = (() => {
  try {
    return Deno.statSync(system).isFile;
  } catch {
    return false;
  }
})();

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", Deno.readFileSync(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test({
  name: "library: the trusted system library is copied into the cache, stamped, and the copy runs",
  ignore: !haveTrusted,
  async fn() {
    using dir = tempDir();
    const env = { SQLINK_CACHE_DIR: join(dir.path, "cache") };
    const digest = await sha256(system);
    assert.ok(TRUSTED_SHA256.includes(digest), `${system} is not a trusted build: ${digest}`);
    const first = await runSqlink([":memory:", "select sqlite_version()"], { env });
    assert.equal(first.stderr, "");
    assert.equal(first.stdout, "3.40.1\n");
    const copy = join(dir.path, "cache", "engine", digest, "libsqlite3.so.0");
    assert.equal(await sha256(copy), digest);
    assert.equal(Deno.statSync(copy).mode! & 0o777, 0o600);
    assert.equal(Deno.statSync(join(dir.path, "cache", "engine", digest)).mode! & 0o777, 0o700);
    assert.ok(
      Deno.statSync(join(dir.path, "cache", "engine", digest, ".libsqlite3.so.0.verified")),
    );

    // A copy changed behind sqlink's back is never loaded: it is hashed, found wrong, rewritten.
    const bytes = Deno.readFileSync(copy);
    bytes[bytes.length - 1] ^= 0xff;
    Deno.writeFileSync(copy, bytes);
    const again = await runSqlink([":memory:", "select 1"], { env });
    assert.equal(again.stdout, "1\n");
    assert.equal(await sha256(copy), digest);
  },
});

Deno.test("library: a library sqlink does not know is refused with its hash and what to do", async () => {
  using dir = tempDir();
  const fake = join(dir.path, "libsqlite3.so.0");
  Deno.writeFileSync(fake, new TextEncoder().encode("not a library"));
  const digest = await sha256(fake);
  const env = { SQLINK_CACHE_DIR: join(dir.path, "cache"), SQLINK_SQLITE_LIBRARY: fake };
  const result = await runSqlink([":memory:", "select 1"], { env });
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  assert.equal(
    result.stderr,
    `Error: The SQLite library "${fake}" is not a build sqlink knows (SHA-256 ${digest})\n` +
      `hint: If you trust this file, run sqlink with SQLINK_SQLITE_SHA256=${digest}\n`,
  );
  // Nothing was copied for it.
  assert.throws(() => Deno.statSync(join(dir.path, "cache", "engine", digest)));

  // Trusting its hash gets it as far as the loader, which refuses what is not a library.
  const trusted = await runSqlink([":memory:", "select 1"], {
    env: { ...env, SQLINK_SQLITE_SHA256: digest },
  });
  assert.equal(trusted.code, 1);
  assert.match(trusted.stderr, /^Error: Cannot load the SQLite library ".*libsqlite3\.so\.0": /);
});

Deno.test("library: a missing library is one error naming it", async () => {
  using dir = tempDir();
  const missing = join(dir.path, "nowhere", "libsqlite3.so.0");
  const result = await runSqlink([":memory:", "select 1"], {
    env: { SQLINK_CACHE_DIR: join(dir.path, "cache"), SQLINK_SQLITE_LIBRARY: missing },
  });
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`^Error: Cannot read the SQLite library "${missing}": `));
  assert.match(result.stderr, /\nhint: Install SQLite's shared library/);
});
