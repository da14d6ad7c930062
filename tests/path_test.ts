/**
 * lib/path.ts gives node:path's answers without loading node:path: every function is
 * compared with node:path's own on every path built from a set of awkward segments.
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

/** The node: modules `entry` loads before it runs: static imports, not `import type` or `import()`. */
async function nodeModulesLoadedBy(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL(entry, import.meta.url).href],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.ok(out.success, `deno info ${entry}`);
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: Array<{
      specifier: string;
      dependencies?: Array<{ code?: { specifier: string }; isDynamic?: boolean }>;
    }>;
  };
  const bySpecifier = new Map(graph.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const visit = (specifier: string) => {
    if (seen.has(specifier)) return;
    seen.add(specifier);
    for (const dep of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (dep.code && !dep.isDynamic) visit(dep.code.specifier);
    }
  };
  graph.roots.forEach(visit);
  return [...seen].filter((s) => s.startsWith("node:")).sort();
}

Deno.test("path: a launch with a bundle loads no node: module but node:sqlite", async () => {
  // Each of node:path, node:process, node:crypto brings up Deno's Node layer (~15 ms), more
  // than half the 20 ms a launch with a bundle may add (deno task bench --only bundle).
  assert.deepEqual(await nodeModulesLoadedBy("../commands/shell_extensions.ts"), ["node:sqlite"]);
  assert.deepEqual(await nodeModulesLoadedBy("../commands/shell.ts"), ["node:sqlite"]);
});
