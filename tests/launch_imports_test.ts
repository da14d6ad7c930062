/**
 * What a launch with a bundle loads before it runs (deno task bench --only bundle: at most
 * 20 ms over a plain start): the static import graph of the shell and of its extension
 * start-up, read from `deno info --json`. Each of node:path, node:process, node:crypto
 * brings up Deno's Node layer (~15 ms); the build machinery is needed only for a bundle
 * with a baked binary.
 */
import assert from "node:assert/strict";

/** The modules `entry` loads before it runs: static imports, not `import type` or `import()`. */
async function loadedBy(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    // sqlink's own config, as a user's start has it (the tests run with tests/deno.json).
    args: [
      "info",
      "--json",
      "--config",
      new URL("../deno.json", import.meta.url).pathname,
      new URL(entry, import.meta.url).href,
    ],
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
  return [...seen].sort();
}

const root = new URL("../", import.meta.url).href;
const local = (modules: string[]) =>
  modules.filter((m) => m.startsWith(root)).map((m) => m.slice(root.length));

Deno.test("launch imports: the shell loads no node: module, a launch with extensions only node:sqlite", async () => {
  // The shell runs on its own SQLite binding (lib/sqlite); node:sqlite is the cas-cache's.
  const expected: Record<string, string[]> = {
    "../commands/shell/shell.ts": [],
    "../commands/shell/extensions.ts": ["node:sqlite"],
  };
  for (const [entry, nodeModules] of Object.entries(expected)) {
    const modules = await loadedBy(entry);
    assert.deepEqual(modules.filter((m) => m.startsWith("node:")), nodeModules, entry);
  }
});

Deno.test("launch imports: the build machinery and the blob store load only when needed", async () => {
  const modules = local(await loadedBy("../commands/shell/extensions.ts"));
  for (const module of ["lib/bake/binary.ts", "lib/ext/header.ts", "lib/cas/store.ts"]) {
    assert.ok(!modules.includes(module), `${module} is loaded by every launch`);
  }
  assert.ok(modules.includes("lib/bundle/launch.ts"), modules.join(", "));
});

Deno.test("launch imports: the browser page's packages load only with sqlink web", async () => {
  for (const entry of ["../main.ts", "../commands/main.ts", "../commands/cli.ts"]) {
    const modules = await loadedBy(entry);
    const browser = modules.filter((m) =>
      /sqlite-wasm|playwright|@noble|zstd-wasm/.test(m) || m.includes("/lib/web/")
    );
    assert.deepEqual(browser, [], entry);
  }
});
