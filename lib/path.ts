/**
 * The few path functions the start-up path needs (`join`, `dirname`, `basename`,
 * `resolve`), with node:path's results. Importing node:path costs ~15 ms (it brings up
 * Deno's Node layer), which a launch with a bundle, whose budget is 20 ms, must not pay
 * for: on POSIX systems these are small ports of Node's own algorithms, checked against
 * `node:path`'s posix functions in tests/path_test.ts; on Windows, with its drive letters
 * and UNC shares, they hand over to node:path itself, loaded on first use.
 *
 * @example
 * ```ts
 * import { join } from "./path.ts";
 * join("/cache", "ext", "..", "builds"); // "/cache/builds"
 * ```
 */
type NodePath = typeof import("node:path");

// typeof: the browser build (lib/web/) has no Deno, and no Windows paths either.
const WINDOWS = typeof Deno !== "undefined" && Deno.build.os === "windows";
const SLASH = 47; // "/"
const DOT = 46; // "."

let win32: NodePath | undefined;

/** node:path, loaded the first time a Windows path is handled. */
function nodePath(): NodePath {
  win32 ??= (globalThis as unknown as {
    process: { getBuiltinModule(name: string): unknown };
  }).process.getBuiltinModule("node:path") as NodePath;
  return win32;
}

/**
 * `path` without `.` segments, empty segments and the `..` that cancel a segment before
 * them (Node's normalizeString for "/"): leading `..` stay when `allowAboveRoot`.
 */
function normalizeSegments(path: string, allowAboveRoot: boolean): string {
  let out = "";
  let lastSegmentLength = 0;
  let lastSlash = -1;
  let dots = 0;
  let code = 0;
  for (let i = 0; i <= path.length; ++i) {
    if (i < path.length) code = path.charCodeAt(i);
    else if (code === SLASH) break;
    else code = SLASH;
    if (code === SLASH) {
      if (lastSlash === i - 1 || dots === 1) {
        // An empty segment or ".": nothing to add.
      } else if (dots === 2) {
        if (
          out.length < 2 || lastSegmentLength !== 2 ||
          out.charCodeAt(out.length - 1) !== DOT || out.charCodeAt(out.length - 2) !== DOT
        ) {
          if (out.length > 2) {
            const lastSlashIndex = out.lastIndexOf("/");
            if (lastSlashIndex === -1) {
              out = "";
              lastSegmentLength = 0;
            } else {
              out = out.slice(0, lastSlashIndex);
              lastSegmentLength = out.length - 1 - out.lastIndexOf("/");
            }
            lastSlash = i;
            dots = 0;
            continue;
          } else if (out.length !== 0) {
            out = "";
            lastSegmentLength = 0;
            lastSlash = i;
            dots = 0;
            continue;
          }
        }
        if (allowAboveRoot) {
          out += out.length > 0 ? "/.." : "..";
          lastSegmentLength = 2;
        }
      } else {
        const segment = path.slice(lastSlash + 1, i);
        out += out.length > 0 ? `/${segment}` : segment;
        lastSegmentLength = i - lastSlash - 1;
      }
      lastSlash = i;
      dots = 0;
    } else if (code === DOT && dots !== -1) {
      ++dots;
    } else {
      dots = -1;
    }
  }
  return out;
}

function normalize(path: string): string {
  if (path.length === 0) return ".";
  const absolute = path.charCodeAt(0) === SLASH;
  const trailing = path.charCodeAt(path.length - 1) === SLASH;
  let out = normalizeSegments(path, !absolute);
  if (out.length === 0) {
    if (absolute) return "/";
    return trailing ? "./" : ".";
  }
  if (trailing) out += "/";
  return absolute ? `/${out}` : out;
}

/** The segments joined with the separator, normalized (node:path's `join`). */
export function join(...segments: string[]): string {
  if (WINDOWS) return nodePath().join(...segments);
  const joined = segments.filter((s) => s.length > 0).join("/");
  return joined.length === 0 ? "." : normalize(joined);
}

/** The absolute, normalized path the segments lead to from the working directory. */
export function resolve(...segments: string[]): string {
  if (WINDOWS) return nodePath().resolve(...segments);
  let resolved = "";
  let absolute = false;
  for (let i = segments.length - 1; i >= -1 && !absolute; i--) {
    const segment = i >= 0 ? segments[i] : Deno.cwd();
    if (segment.length === 0) continue;
    resolved = `${segment}/${resolved}`;
    absolute = segment.charCodeAt(0) === SLASH;
  }
  const out = normalizeSegments(resolved, !absolute);
  if (absolute) return `/${out}`;
  return out.length > 0 ? out : ".";
}

/** The path without its last segment (node:path's `dirname`). */
export function dirname(path: string): string {
  if (WINDOWS) return nodePath().dirname(path);
  if (path.length === 0) return ".";
  const hasRoot = path.charCodeAt(0) === SLASH;
  let end = -1;
  let matchedSlash = true;
  for (let i = path.length - 1; i >= 1; --i) {
    if (path.charCodeAt(i) === SLASH) {
      if (!matchedSlash) {
        end = i;
        break;
      }
    } else {
      matchedSlash = false;
    }
  }
  if (end === -1) return hasRoot ? "/" : ".";
  if (hasRoot && end === 1) return "//";
  return path.slice(0, end);
}

/** The last segment of the path, trailing separators ignored (node:path's `basename`). */
export function basename(path: string): string {
  if (WINDOWS) return nodePath().basename(path);
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === SLASH) end--;
  const start = path.lastIndexOf("/", end - 1) + 1;
  return path.slice(start, end);
}
