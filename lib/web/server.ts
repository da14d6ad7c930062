/**
 * The local HTTP server of `sqlink web`: the page, its bundled JavaScript (build.ts), the two
 * wasm files from their npm packages, and this machine's OS and CPU (what dropped extensions
 * are checked for). Loopback by default. The MIME types matter: a module worker served with
 * another type than text/javascript fails without a message, and wasm streaming compilation
 * needs application/wasm.
 */
import { SqlinkError } from "../errors.ts";
import { buildBundles, type BundleEntry, PAGE_ENTRIES } from "./build.ts";
import { PAGE_HTML } from "./page_html.ts";

/** How to serve. */
export interface ServeOptions {
  /** Default 127.0.0.1. */
  hostname?: string;
  /** Default 0: any free port. */
  port?: number;
  /** More modules to bundle and serve beside the page's (the browser tests' own workers). */
  extraEntries?: BundleEntry[];
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

/** A file inside an npm package, found where Deno keeps it. */
function packageFile(specifier: string, file: string): string {
  return new URL(file, import.meta.resolve(specifier)).pathname;
}

/** The wasm files the worker loads beside itself. */
function wasmFiles(): Record<string, string> {
  return {
    "/sqlite3.wasm": packageFile("@sqlite.org/sqlite-wasm", "sqlite3.wasm"),
    "/zstd.wasm": packageFile("@bokuweb/zstd-wasm", "zstd.wasm"),
  };
}

/** Build the page and serve it until `close`. */
export async function serveWeb(options: ServeOptions = {}): Promise<WebServer> {
  const dir = await Deno.makeTempDir({ prefix: "sqlink-web-" });
  try {
    const entries = [...PAGE_ENTRIES, ...(options.extraEntries ?? [])];
    await buildBundles(entries, dir);
    const files: Record<string, string> = { ...wasmFiles() };
    for (const { name } of entries) files[`/${name}`] = `${dir}/${name}`;
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
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      },
    };
  } catch (err) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw err;
  }
}
