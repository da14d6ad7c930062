/**
 * The local HTTP server of `sqlink web`: the page, its bundled JavaScript and the two wasm
 * files (build.ts: built at start from source, or the copy a release build carries), and
 * this machine's OS and CPU (what dropped extensions are checked for). Loopback by default.
 * The MIME types matter: a module worker served with another type than text/javascript
 * fails without a message, and wasm streaming compilation needs application/wasm.
 */
import { join } from "node:path";
import { SqlinkError } from "../errors.ts";
import { buildPage, type BundleEntry, PAGE_DIR, pageFiles } from "./build.ts";
import { PAGE_HTML } from "./page_html.ts";

/** How to serve. */
export interface ServeOptions {
  /** Default 127.0.0.1. */
  hostname?: string;
  /** Default 0: any free port. */
  port?: number;
  /** More modules to bundle and serve beside the page's (the browser tests' own workers). */
  extraEntries?: BundleEntry[];
  /**
   * A page already built (buildPage's folder) to serve instead of building one; default: the
   * one a compiled sqlink carries, when it is compiled.
   */
  pageDir?: string;
}

/** A running server. */
export interface WebServer {
  url: string;
  /** Stop serving and remove the built files. */
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

/** The page a compiled sqlink carries (PAGE_DIR of its code), or a refusal when it has none. */
export function carriedPage(
  dir: string = new URL(`../../${PAGE_DIR}/`, import.meta.url).pathname,
): string {
  for (const name of pageFiles()) {
    try {
      Deno.statSync(join(dir, name));
    } catch (err) {
      throw new SqlinkError(
        "EWEBBUILD",
        `This sqlink was compiled without the browser page (${name} is missing)`,
        {
          hint:
            "Baked bundle programs carry the shell, not the page: run `sqlink web` from a release build, a checkout (`deno task sqlink web`) or an installed sqlink",
          cause: err,
        },
      );
    }
  }
  return dir;
}

/** Build the page (or take the one a compiled sqlink carries) and serve it until `close`. */
export async function serveWeb(options: ServeOptions = {}): Promise<WebServer> {
  const given = options.pageDir !== undefined
    ? carriedPage(options.pageDir)
    : Deno.build.standalone
    ? carriedPage()
    : undefined;
  const carried = given !== undefined;
  const dir = given ?? await Deno.makeTempDir({ prefix: "sqlink-web-" });
  const removeDir = () =>
    carried ? Promise.resolve() : Deno.remove(dir, { recursive: true }).catch(() => {});
  try {
    if (!carried) await buildPage(dir, options.extraEntries);
    const files: Record<string, string> = {};
    for (const name of pageFiles(options.extraEntries)) files[`/${name}`] = join(dir, name);
    const host = JSON.stringify({ os: Deno.build.os, arch: Deno.build.arch });
    const respond = (body: BodyInit, type: string, status = 200) =>
      new Response(body, {
        status,
        headers: {
          "content-type": type,
          "cache-control": "no-store",
          "x-content-type-options": "nosniff",
        },
      });
    let server: Deno.HttpServer;
    try {
      server = Deno.serve({
        hostname: options.hostname ?? "127.0.0.1",
        port: options.port ?? 0,
        onListen: () => {},
      }, async (request) => {
        if (request.method !== "GET" && request.method !== "HEAD") {
          return respond("Method not allowed\n", "text/plain", 405);
        }
        const path = new URL(request.url).pathname;
        if (path === "/" || path === "/index.html") return respond(PAGE_HTML, TYPES[".html"]);
        if (path === "/host.json") return respond(host, TYPES[".json"]);
        const file = files[path];
        if (!file) return respond("Not found\n", "text/plain", 404);
        const type = TYPES[path.slice(path.lastIndexOf("."))] ?? "application/octet-stream";
        return respond(await Deno.readFile(file), type);
      });
    } catch (err) {
      if (err instanceof Deno.errors.AddrInUse) {
        throw new SqlinkError("EADDRINUSE", `Cannot serve on port ${options.port}: it is in use`, {
          hint: "Choose another with --port N, or --port 0 for any free port",
          exitCode: 1,
        });
      }
      throw err;
    }
    const { hostname, port } = server.addr as Deno.NetAddr;
    const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
    return {
      url: `http://${shown}:${port}/`,
      close: async () => {
        await server.shutdown();
        await removeDir();
      },
    };
  } catch (err) {
    await removeDir();
    throw err;
  }
}
