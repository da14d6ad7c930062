/**
 * Building the page's JavaScript: `deno bundle --platform browser` of the page and of its
 * worker, from sqlink's own TypeScript and its locked npm packages (sqlite-wasm, blake3-jit,
 * @noble/hashes, zstd-wasm), with node:sqlite mapped to no_node_sqlite.ts. It needs Deno and
 * sqlink's source (a checkout, or an installed sqlink, which runs the checkout's files);
 * esbuild, which `deno bundle` uses, comes from the npm registry once and is cached.
 */
import { SqlinkError } from "../errors.ts";

/** The source tree's root, as a file URL. */
const ROOT = new URL("../../", import.meta.url);

/** One module to bundle: the output file name (`page.js`) and its entry module. */
export interface BundleEntry {
  name: string;
  entry: URL;
}

/** The page and its worker. */
export const PAGE_ENTRIES: BundleEntry[] = [
  { name: "page.js", entry: new URL("page.ts", import.meta.url) },
  { name: "worker.js", entry: new URL("worker.ts", import.meta.url) },
];

function cannotBuild(why: string, cause?: unknown): SqlinkError {
  return new SqlinkError("EWEBBUILD", `Cannot build the page: ${why}`, {
    hint:
      "Run `sqlink web` from a checkout (`deno task sqlink web`) or an installed sqlink (deno install … main.ts), where Deno can reach the npm registry once for esbuild",
    cause,
  });
}

/** The `deno` that bundles: this one when running under Deno, else SQLINK_DENO or PATH's. */
function denoCommand(): string {
  const exe = Deno.execPath();
  if (/(^|[/\\])deno(\.exe)?$/.test(exe)) return exe;
  return Deno.env.get("SQLINK_DENO") || "deno";
}

/**
 * The import map for the browser: deno.json's imports, node:sqlite mapped away. A compiled
 * sqlink has no deno.json or source files on disk: it says so.
 */
function importMap(): Record<string, unknown> {
  if (ROOT.protocol !== "file:") throw cannotBuild(`sqlink's source is not on disk (${ROOT.href})`);
  let config: { imports?: Record<string, string> };
  try {
    config = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT)));
  } catch (err) {
    throw cannotBuild(
      "this sqlink has no deno.json and source files beside it (a compiled sqlink carries no page)",
      err,
    );
  }
  return {
    imports: {
      ...config.imports,
      "node:sqlite": new URL("no_node_sqlite.ts", import.meta.url).href,
    },
  };
}

/** Bundle `entries` into `outDir` (each as its `name`). */
export async function buildBundles(entries: BundleEntry[], outDir: string): Promise<void> {
  const map = `${outDir}/import_map.json`;
  Deno.writeTextFileSync(map, JSON.stringify(importMap()));
  const lock = new URL("deno.lock", ROOT).pathname;
  await Promise.all(entries.map(async ({ name, entry }) => {
    let output: Deno.CommandOutput;
    try {
      output = await new Deno.Command(denoCommand(), {
        args: [
          "bundle",
          "--quiet",
          "--no-config",
          `--lock=${lock}`,
          "--frozen-lockfile",
          "--import-map",
          map,
          "--platform",
          "browser",
          "--format",
          "esm",
          "-o",
          `${outDir}/${name}`,
          entry.pathname,
        ],
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch (err) {
      throw cannotBuild(`could not run deno (${(err as Error).message})`, err);
    }
    if (!output.success) {
      const text = new TextDecoder().decode(output.stderr).trim();
      throw cannotBuild(`deno bundle ${name} failed: ${text.split("\n").slice(-6).join("\n")}`);
    }
  }));
}
