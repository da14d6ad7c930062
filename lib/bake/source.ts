/**
 * Where a baked program's sqlink code comes from. Baking compiles sqlink's own source
 * together with a generated entry module, so sqlink must be able to reproduce its source
 * wherever it runs:
 *
 * - from a checkout, the source is the tree around this module;
 * - a compiled sqlink has no source tree on disk (Deno embeds modules in a form meant for
 *   running, not for compiling again), so every build, release builds included, embeds a
 *   *source snapshot*: one file holding the exact text of every source file. When a
 *   snapshot sits at the root of the running code, it is the source; the tree is not read.
 *
 * The staged program of a build carries the same snapshot, so a baked program (or the
 * staged program run under `deno run`) can bake in turn.
 */
import { basename, dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { fsError, SqlinkError } from "../errors.ts";
import { ensurePrivateDir } from "../fs.ts";

/** The snapshot's file name, at the root of the code (beside `main.ts`). */
export const SNAPSHOT_FILE = "source.snapshot";

/** What a program needs to run sqlink: the entry, the config and lock, and the two trees. */
const SOURCE_ROOTS = ["main.ts", "deno.json", "deno.lock", "lib", "commands"];

/** Files under the source roots that are not sqlink (editor and OS droppings). */
const NOT_SOURCE = /(?:^\.|~$|\.swp$)/;

const FORMAT = "sqlink-source/1";

/** The text of every source file, by `/`-separated path relative to the code's root. */
export interface SourceSnapshot {
  files: Map<string, string>;
}

/** The root of the running sqlink code: the directory of `main.ts`. */
export function codeRoot(): string {
  return dirname(dirname(dirname(fileURLToPath(import.meta.url))));
}

/**
 * sqlink's source: the snapshot at `root` when there is one, else the tree at `root`
 * (running from a checkout).
 */
export function readSource(root: string = codeRoot()): SourceSnapshot {
  const snapshot = join(root, SNAPSHOT_FILE);
  let text: string | undefined;
  try {
    text = Deno.readTextFileSync(snapshot);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw fsError(err, "read", snapshot);
  }
  if (text !== undefined) return decodeSource(text, snapshot);
  if (Deno.build.standalone) {
    throw new SqlinkError(
      "ENOSOURCE",
      "This sqlink cannot bake: it was compiled without a copy of its source",
      { hint: "Use a sqlink built by scripts/release.ts, or run sqlink from source" },
    );
  }
  return walkSource(root);
}

function walkSource(root: string): SourceSnapshot {
  const files = new Map<string, string>();
  const visit = (path: string, top = false) => {
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(path);
    } catch (err) {
      throw fsError(err, "read sqlink's source file", path);
    }
    if (info.isDirectory) {
      const names = [...Deno.readDirSync(path)].map((e) => e.name).sort();
      for (const name of names) visit(join(path, name));
    } else if (info.isFile && (top || !NOT_SOURCE.test(basename(path)))) {
      files.set(relative(root, path).split(sep).join("/"), Deno.readTextFileSync(path));
    }
  };
  for (const name of SOURCE_ROOTS) visit(join(root, name), true);
  return { files };
}

/** The snapshot as the text of its file: stable JSON, files in path order. */
export function encodeSource(source: SourceSnapshot): string {
  const files = Object.fromEntries([...source.files].sort(([a], [b]) => a < b ? -1 : 1));
  return JSON.stringify({ format: FORMAT, files });
}

/** Read a snapshot's text; `where` names it in errors. */
export function decodeSource(text: string, where: string): SourceSnapshot {
  let parsed: { format?: unknown; files?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = {};
  }
  const files = parsed.files;
  if (parsed.format !== FORMAT || typeof files !== "object" || files === null) {
    throw new SqlinkError("ENOSOURCE", `"${where}" is not a sqlink source snapshot`, {
      hint: "Rebuild this sqlink with scripts/release.ts",
    });
  }
  const entries = Object.entries(files as Record<string, unknown>);
  for (const [path, body] of entries) {
    if (typeof body !== "string" || !safePath(path)) {
      throw new SqlinkError("ENOSOURCE", `"${where}" holds a bad entry "${path}"`, {
        hint: "Rebuild this sqlink with scripts/release.ts",
      });
    }
  }
  for (const needed of ["main.ts", "deno.json"]) {
    if (!(needed in (files as object))) {
      throw new SqlinkError("ENOSOURCE", `"${where}" lacks ${needed}`, {
        hint: "Rebuild this sqlink with scripts/release.ts",
      });
    }
  }
  return { files: new Map(entries as [string, string][]) };
}

function safePath(path: string): boolean {
  return path !== "" && !path.startsWith("/") && !path.includes("\\") &&
    path.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}

/** Write the source tree and its snapshot into `dir` (a build's staging directory). */
export function writeSource(dir: string, source: SourceSnapshot): void {
  for (const [path, text] of source.files) {
    const target = join(dir, ...path.split("/"));
    ensurePrivateDir(dirname(target));
    Deno.writeTextFileSync(target, text);
  }
  Deno.writeTextFileSync(join(dir, SNAPSHOT_FILE), encodeSource(source));
}
