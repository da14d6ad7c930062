/** One table names each platform for npm and for sqlink's targets; and a real no-variant error. */
import assert from "node:assert/strict";
import { TARGETS } from "../../lib/bake/targets.ts";
import {
  hostPlatform,
  platformOfPackage,
  platformOfTarget,
  PLATFORMS,
} from "../../lib/install/platform.ts";
import {
  fetchNpmVariant,
  noVariantError,
  parseNpmSpec,
  resolveNpm,
} from "../../lib/install/npm.ts";
import { startMirror } from "./mirror.ts";

Deno.test("platforms: npm suffixes and target triples, one each", () => {
  assert.deepEqual(PLATFORMS.map((p) => p.target), [...TARGETS]);
  assert.equal(hostPlatform({ os: "linux", arch: "x86_64" }).npm, "linux-x64");
  assert.equal(hostPlatform({ os: "darwin", arch: "aarch64" }).target, "aarch64-apple-darwin");
  assert.throws(
    () => hostPlatform({ os: "freebsd", arch: "x86_64" }),
    /No extension platform is known for freebsd/,
  );
  assert.equal(platformOfTarget("x86_64-pc-windows-msvc").suffix, ".dll");
  assert.throws(() => platformOfTarget("riscv64"), /Unknown target "riscv64"/);
  assert.equal(platformOfPackage("sqlite-vec-darwin-arm64")?.target, "aarch64-apple-darwin");
  assert.equal(platformOfPackage("sqlite-vec"), undefined);
});

Deno.test("sqlite-vec 0.1.6 lists linux-arm64 but does not publish it: no variant, and the platforms it has", async () => {
  await using mirror = startMirror();
  Deno.env.set("npm_config_registry", mirror.url);
  try {
    const release = await resolveNpm(parseNpmSpec("sqlite-vec@0.1.6"));
    assert.equal(release.listed.size, 5);
    const arm = platformOfTarget("aarch64-unknown-linux-gnu");
    assert.equal(await fetchNpmVariant(release, arm), undefined);
    const err = await noVariantError(release, arm);
    assert.equal(err.code, "ENOVARIANT");
    assert.equal(
      err.message,
      "sqlite-vec@0.1.6 has no build for linux-arm64 (aarch64-unknown-linux-gnu); it is published for linux-x64, darwin-x64, darwin-arm64, windows-x64",
    );
    // Another platform's build is fetched and checked for that platform (not loaded here).
    const mac = await fetchNpmVariant(release, platformOfTarget("aarch64-apple-darwin"));
    assert.equal(mac?.file, "vec0.dylib");
    assert.deepEqual([...mac!.bytes.subarray(0, 4)], [0xcf, 0xfa, 0xed, 0xfe]);
  } finally {
    Deno.env.delete("npm_config_registry");
  }
});
