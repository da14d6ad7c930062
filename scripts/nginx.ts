/**
 * A real nginx with WebDAV on a free loopback port, started from a temporary config by the
 * remote tier's tests and its benchmark (SPEC §10's http backend as teams run it):
 * `PUT/HEAD/GET/DELETE /…` with `create_full_put_path`, optional basic or bearer auth, a
 * read-only mode and a rate limit.
 */
import { join } from "node:path";

/** A running nginx; dispose (or `stop`) to end it and remove its folder. */
export interface Nginx extends AsyncDisposable {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  /** The folder nginx serves (objects land at `root/<path>`). */
  root: string;
  /** The nginx process id. */
  pid: number;
  /** The requests nginx logged so far (`METHOD /path STATUS`), oldest first. */
  requests(): string[];
  /** End nginx (SIGKILL with `kill`, else a graceful stop). */
  stop(options?: { kill?: boolean }): Promise<void>;
}

/** Where nginx is, or undefined when it is not installed. */
export function nginxPath(): string | undefined {
  for (const candidate of ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]) {
    try {
      Deno.statSync(candidate);
      return candidate;
    } catch {
      // Not there.
    }
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (bound and released: a small race tests can live with). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Options for one server. */
export interface NginxOptions {
  /** Require basic auth with this user and password (htpasswd written with openssl-free {PLAIN}). */
  basicAuth?: { user: string; password: string };
  /** Require `Authorization: Bearer TOKEN`. */
  bearer?: string;
  /** Refuse PUT and DELETE (403): a read-only mirror. */
  readOnly?: boolean;
  /** Per-connection send rate limit (e.g. "64k"): a slow server. */
  limitRate?: string;
}

/** Start nginx; resolves once it answers. */
export async function startNginx(options: NginxOptions = {}): Promise<Nginx> {
  const binary = nginxPath();
  if (!binary) throw new Error("nginx is not installed (apt-get install nginx; .ci/run does)");
  const dir = Deno.makeTempDirSync({ prefix: "sqlink-nginx-" });
  const root = join(dir, "www");
  Deno.mkdirSync(root);
  for (const sub of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) Deno.mkdirSync(join(dir, sub));
  const port = freePort();
  const auth: string[] = [];
  if (options.basicAuth) {
    const file = join(dir, "htpasswd");
    Deno.writeTextFileSync(
      file,
      `${options.basicAuth.user}:{PLAIN}${options.basicAuth.password}\n`,
    );
    auth.push(`auth_basic "sqlink"; auth_basic_user_file ${file};`);
  }
  if (options.bearer) {
    auth.push(`if ($http_authorization != "Bearer ${options.bearer}") { return 401; }`);
  }
  if (options.readOnly) auth.push(`limit_except GET HEAD { deny all; }`);
  if (options.limitRate) auth.push(`limit_rate ${options.limitRate};`);
  // As root the worker would run as nobody and could not write the folder: run it as the
  // user the test runs as.
  const user = Deno.uid() === 0 ? "user root;" : "";
  const conf = `
${user}
daemon off;
master_process on;
worker_processes 2;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} warn;
events { worker_connections 256; }
http {
  log_format brief '$request_method $uri $status';
  access_log ${join(dir, "access.log")} brief;
  client_body_temp_path ${join(dir, "body")};
  proxy_temp_path ${join(dir, "proxy")};
  fastcgi_temp_path ${join(dir, "fastcgi")};
  uwsgi_temp_path ${join(dir, "uwsgi")};
  scgi_temp_path ${join(dir, "scgi")};
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    client_max_body_size 0;
    location / {
      ${auth.join("\n      ")}
      dav_methods PUT DELETE;
      create_full_put_path on;
      dav_access user:rw;
    }
  }
}
`;
  const confPath = join(dir, "nginx.conf");
  Deno.writeTextFileSync(confPath, conf);
  const child = new Deno.Command(binary, {
    args: ["-p", dir, "-c", confPath, "-e", join(dir, "error.log")],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        const { stderr } = await child.output();
        throw new Error(`nginx did not start: ${new TextDecoder().decode(stderr)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  let stopped = false;
  const stop = async (how: { kill?: boolean } = {}) => {
    if (stopped) return;
    stopped = true;
    if (how.kill) {
      // Stop the master first (it would start new workers for killed ones), then its
      // workers while they are still its children, then the master itself.
      signal(child.pid, "SIGSTOP");
      killWorkers(child.pid);
    }
    signal(child.pid, how.kill ? "SIGKILL" : "SIGQUIT");
    await child.stderr.cancel().catch(() => {});
    await child.status;
    // Whatever of this server still runs (a worker that outlived its master) goes too.
    killHolders(dir);
    Deno.removeSync(dir, { recursive: true });
  };
  const requests = () => {
    try {
      return Deno.readTextFileSync(join(dir, "access.log")).split("\n").filter((l) => l !== "");
    } catch {
      return [];
    }
  };
  return {
    origin,
    port,
    root,
    pid: child.pid,
    requests,
    stop,
    [Symbol.asyncDispose]: () => stop(),
  };
}

function signal(pid: number, name: Deno.Signal): void {
  try {
    Deno.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** SIGKILL the children of `parent` (nginx's workers), found in /proc. */
function killWorkers(parent: number): void {
  for (const pid of processes()) {
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      // pid (comm) state ppid …: the name may hold spaces, so read after its last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent) signal(pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
}

/** SIGKILL the processes that hold a file under `dir` open (this server's logs). */
function killHolders(dir: string): void {
  for (const pid of processes()) {
    try {
      for (const fd of Deno.readDirSync(`/proc/${pid}/fd`)) {
        if (Deno.readLinkSync(`/proc/${pid}/fd/${fd.name}`).startsWith(dir + "/")) {
          signal(pid, "SIGKILL");
          break;
        }
      }
    } catch {
      // Gone meanwhile, or not ours to look at.
    }
  }
}

/** The processes of this machine, or none when Deno may not look (/proc needs --allow-all). */
function processes(): number[] {
  try {
    return [...Deno.readDirSync("/proc")].filter((e) => /^[0-9]+$/.test(e.name)).map((e) =>
      Number(e.name)
    ).filter((pid) => pid !== Deno.pid);
  } catch {
    return [];
  }
}
