/**
 * Pieces the remote-tier tests share: an environment with a private config folder and
 * cache per "machine", the objects a remote holds, and fault servers (real HTTP servers on
 * loopback that fail on purpose).
 */
import { join } from "node:path";
import { type RunOptions, type RunResult, runSqlink } from "../helpers/cli.ts";

/** One machine: its own cache root and config folder (a laptop, a CI runner). */
export class Machine {
  readonly root: string;
  readonly config: string;
  readonly env: Record<string, string>;

  constructor(dir: string, name: string, env: Record<string, string> = {}) {
    this.root = join(dir, name, "cache");
    this.config = join(dir, name, "config");
    this.env = {
      SQLINK_CACHE_DIR: this.root,
      SQLINK_CAS: "",
      SQLINK_CAS_MAX_BYTES: "",
      XDG_CONFIG_HOME: this.config,
      // No netrc of the person running the tests (HOME stays: Deno's own cache lives there).
      NETRC: join(dir, name, "netrc"),
      ...env,
    };
  }

  /** Run sqlink with this machine's environment (plus `env`). */
  run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return runSqlink(args, { ...options, env: { ...this.env, ...options.env } });
  }

  /** Run the shell on `:memory:` with `script` on stdin. */
  shell(script: string, args: string[] = [], options: RunOptions = {}): Promise<RunResult> {
    return this.run(["-init", "/dev/null", ...args, ":memory:"], { ...options, stdin: script });
  }

  /** The cas-cache file. */
  get casFile(): string {
    return join(this.root, "cas.sqlite");
  }
}

/** The object keys (relative paths) under a served folder, sorted. */
export function objects(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      if (entry.isDirectory) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else found.push(`${prefix}${entry.name}`);
    }
  };
  try {
    walk(root, "");
  } catch {
    // Nothing served yet.
  }
  return found.sort();
}

/** The lines of stderr that start with `prefix`. */
export function linesOf(stderr: string, prefix: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith(prefix));
}

/** A real HTTP server on loopback whose handler decides how to fail; counts requests. */
export interface FaultServer extends AsyncDisposable {
  url: string;
  /** Requests received, as `METHOD /path`. */
  seen: string[];
  close(): Promise<void>;
}

/** Serve `handler` on a free loopback port. */
export function faultServer(
  handler: (request: Request) => Response | Promise<Response>,
): FaultServer {
  const seen: string[] = [];
  const controller = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen: () => {} },
    (request) => {
      seen.push(`${request.method} ${new URL(request.url).pathname}`);
      return handler(request);
    },
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  const close = async () => {
    controller.abort();
    await server.finished.catch(() => {});
  };
  return { url, seen, close, [Symbol.asyncDispose]: close };
}
