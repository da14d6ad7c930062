/**
 * lib/path.ts gives node:path's answers without loading node:path: every function is
 * compared with node:path's own on every path built from a set of awkward segments
 * (tests/launch_imports_test.ts checks that a launch does not load node:path).
 */
import assert from "node:assert/strict";
import nodePath from "node:path";
import { basename, dirname, join, resolve } from "../lib/path.ts";

const SEGMENTS = ["", "/", "//", ".", "..", "a", "b.so", ".x", "..y", "...", "a/", "/a", "a//b"];

/** Every path of one to three SEGMENTS, concatenated as they are. */
function paths(): string[] {
  const out = new Set<string>();
  for (const a of SEGMENTS) {
    for (const b of SEGMENTS) {
      for (const c of SEGMENTS) out.add(a + b + c);
    }
  }
  return [...out];
}

/** Every argument list of one to three SEGMENTS. */
function argLists(): string[][] {
  const out: string[][] = [];
  for (const a of SEGMENTS) {
    out.push([a]);
    for (const b of SEGMENTS) {
      out.push([a, b]);
      for (const c of SEGMENTS) out.push([a, b, c]);
    }
  }
  return out;
}

const posix = Deno.build.os === "windows" ? nodePath.win32 : nodePath.posix;

Deno.test("path: dirname and basename agree with node:path", () => {
  for (const p of [...paths(), "/home/u/.cache/sqlink/cas.sqlite", "ext/abc/vec0.so"]) {
    assert.equal(dirname(p), posix.dirname(p), `dirname(${JSON.stringify(p)})`);
    assert.equal(basename(p), posix.basename(p), `basename(${JSON.stringify(p)})`);
  }
});

Deno.test("path: join agrees with node:path", () => {
  assert.equal(join(), posix.join());
  for (const args of argLists()) {
    assert.equal(join(...args), posix.join(...args), `join(${JSON.stringify(args)})`);
  }
});

Deno.test("path: resolve agrees with node:path, from the working directory", () => {
  assert.equal(resolve(), posix.resolve());
  for (const args of argLists()) {
    assert.equal(resolve(...args), posix.resolve(...args), `resolve(${JSON.stringify(args)})`);
  }
  assert.equal(resolve("/cache/ext/abc", "../../../../etc/x"), "/etc/x");
});
