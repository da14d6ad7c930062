/**
 * Building the page: `deno bundle --platform browser` of the page and of its worker, and the
 * two wasm files they load, into one folder that the server serves as it is.
 *
 * The page has its own config and lock (lib/web/deno.json, deno.lock: sqlite-wasm,
 * @noble/hashes, zstd-wasm, blake3-jit), kept out of sqlink's own: Deno downloads every
 * package of a project's lock on its first npm use, and the shell should not fetch the
 * browser's packages. They are fetched (once, into Deno's cache) when the page is first
 * built, as esbuild is, which `deno bundle` uses. Building needs Deno and sqlink's source (a
 * checkout, or an installed sqlink, which runs the checkout's files). A release build
 * carries the page built when it was compiled (PAGE_DIR, embedded by `deno compile
 * --include`), and serves that.
 */
import { join } from "node:path";
import { SqlinkError } from "../errors.ts";

/** The page's config (its import map) and its lock. */
export const PAGE_CONFIG: URL = new URL("deno.json", import.meta.url);
const PAGE_LOCK = new URL("deno.lock", import.meta.url);

/** Where a compiled sqlink carries its built page, relative to the code's root. */
export const PAGE_DIR = "lib/web/built";

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

/** The wasm files the worker loads beside itself: name → [package, file inside it]. */
export const WASM_FILES: Record<string, [string, string]> = {
  "sqlite3.wasm": ["@sqlite.org/sqlite-wasm", "dist/sqlite3.wasm"],
  "zstd.wasm": ["@bokuweb/zstd-wasm", "dist/common/zstd.wasm"],
};

/** Every file of a built page. */
export function pageFiles(extra: readonly BundleEntry[] = []): string[] {
  return [...PAGE_ENTRIES, ...extra].map((e) => e.name).concat(
    Object.keys(WASM_FILES),
  );
}

function cannotBuild(why: string, cause?: unknown): SqlinkError {
  return new SqlinkError("EWEBBUILD", `Cannot build the page: ${why}`, {
    hint:
      "Run `sqlink web` from a checkout (`deno task sqlink web`), an installed sqlink (deno install … main.ts) or a release build, where Deno can reach the npm registry once for the page's packages and esbuild",
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
 * The import map for the browser: the page config's imports, node:sqlite mapped to a module
 * that refuses to open files (the browser never calls the code that would). A compiled
 * sqlink has no source files on disk: it says so.
 */
function importMap(): Record<string, unknown> {
  if (PAGE_CONFIG.protocol !== "file:") {
    throw cannotBuild(`sqlink's source is not on disk (${PAGE_CONFIG.href})`);
  }
  let config: { imports?: Record<string, string> };
  try {
    config = JSON.parse(Deno.readTextFileSync(PAGE_CONFIG));
  } catch (err) {
    throw cannotBuild(
      `this sqlink has no ${PAGE_CONFIG.pathname} (a compiled sqlink carries no page source)`,
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

const ESC = String.fromCharCode(27);

/** A failed deno run as one error: its first `error:` line, and whether the network failed. */
function failure(what: string, stderr: string): SqlinkError {
  const text = stderr.replaceAll(ESC, "").replace(/\[[0-9;]*m/g, "")
    .replace(/\n?Stack backtrace:[\s\S]*$/, "");
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const first = (lines.find((l) => /^error:/i.test(l)) ?? lines.at(-1) ?? "no output")
    .replace(/^error:\s*/i, "");
  if (/error sending request|tcp connect error|dns error|client error \(Connect\)/.test(text)) {
    return new SqlinkError(
      "EOFFLINE",
      `Cannot build the page: ${what} could not download what the page needs: ${first}`,
      {
        hint:
          "Run it once where the npm registry can be reached: Deno keeps esbuild and the page's packages for later runs",
        details: { output: text.trim() },
      },
    );
  }
  const error = cannotBuild(`${what} failed: ${first}`);
  return new SqlinkError(error.code, error.message, {
    hint: error.hint,
    details: { output: text.trim() },
  });
}

/** Run deno with the page's import map and lock; its stdout, or the failure as one error. */
async function denoWithPageMap(
  map: string,
  args: string[],
  what: string,
): Promise<Uint8Array> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(denoCommand(), {
      args: [
        args[0],
        "--quiet",
        "--no-config",
        `--lock=${PAGE_LOCK.pathname}`,
        "--frozen-lockfile",
        "--import-map",
        map,
        ...args.slice(1),
      ],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    throw cannotBuild(`could not run deno (${(err as Error).message})`, err);
  }
  if (!output.success) throw failure(what, new TextDecoder().decode(output.stderr));
  return output.stdout;
}

/**
 * Build the page into `outDir` (which exists): page.js, worker.js and `extra` entries (the
 * browser tests' own workers), bundled, and the wasm files copied from their packages.
 */
export async function buildPage(
  outDir: string,
  extra: readonly BundleEntry[] = [],
): Promise<void> {
  const map = join(outDir, ".import_map.json");
  Deno.writeTextFileSync(map, JSON.stringify(importMap()));
  try {
    const bundle = ({ name, entry }: BundleEntry) =>
      denoWithPageMap(map, [
        "bundle",
        "--platform",
        "browser",
        "--format",
        "esm",
        "-o",
        join(outDir, name),
        entry.pathname,
      ], `deno bundle ${name}`);
    // The first alone: on a first start it fetches esbuild, which the others then share.
    const [first, ...rest] = [...PAGE_ENTRIES, ...extra];
    await bundle(first);
    // Where Deno keeps the packages: `deno info` names each one's folder.
    const [output] = await Promise.all([
      denoWithPageMap(map, ["info", "--json", PAGE_ENTRIES[1].entry.pathname], "deno info"),
      ...rest.map(bundle),
    ]);
    const info = JSON.parse(new TextDecoder().decode(output)) as {
      npmPackages?: Record<string, { name: string; localPath?: string }>;
    };
    const folders = new Map(
      Object.values(info.npmPackages ?? {}).map((p) => [p.name, p.localPath] as const),
    );
    for (const [name, [pkg, file]] of Object.entries(WASM_FILES)) {
      const folder = folders.get(pkg);
      if (!folder) throw cannotBuild(`deno info does not say where ${pkg} is`);
      try {
        Deno.copyFileSync(join(folder, file), join(outDir, name));
      } catch (err) {
        throw cannotBuild(
          `cannot copy ${pkg}'s ${file} (${(err as Error).message})`,
          err,
        );
      }
    }
  } finally {
    Deno.removeSync(map);
  }
}

/** Copy a built page from `from` into `to` (created), file by file. */
export function copyPage(from: string, to: string): void {
  Deno.mkdirSync(to, { recursive: true, mode: 0o700 });
  for (const name of pageFiles()) Deno.copyFileSync(join(from, name), join(to, name));
}
