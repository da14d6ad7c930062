/**
 * A real npm registry on loopback for the install tests: it answers the registry's own
 * protocol (abbreviated metadata, tarballs) with what the public registry
 * (`npm config get registry`) serves, cached under `.fixtures/npm/` so a run does not fetch
 * again what an earlier one did. Tarball URLs in the metadata point back at the mirror, as a
 * real mirror's do. A fault decides how it misbehaves: flip one byte of each tarball, serve a
 * package rebuilt without its library (with the integrity the registry would then publish),
 * or stall.
 */
import { join } from "node:path";
import { ROOT } from "../helpers/cli.ts";

/** How the mirror misbehaves (none: it serves what the registry serves). */
export type MirrorFault = "none" | "flip" | "nolib" | "stall";

/** The public registry the mirror fills its cache from. */
export const UPSTREAM = "https://registry.npmjs.org/";

const CACHE = join(ROOT, ".fixtures", "npm");

/** A running mirror. */
export interface Mirror extends AsyncDisposable {
  /** Its base URL, ending with `/` (for npm_config_registry). */
  url: string;
  /** Requests received, as paths. */
  seen: string[];
  fault: MirrorFault;
  close(): Promise<void>;
}

async function cached(name: string, fetchIt: () => Promise<Uint8Array | undefined>) {
  const path = join(CACHE, name);
  try {
    return await Deno.readFile(path);
  } catch {
    // Not cached yet.
  }
  const bytes = await fetchIt();
  if (bytes === undefined) return undefined;
  await Deno.mkdir(join(path, ".."), { recursive: true });
  const temp = `${path}.${Deno.pid}.${crypto.randomUUID()}.tmp`;
  await Deno.writeFile(temp, bytes);
  await Deno.rename(temp, path);
  return bytes;
}

async function upstream(url: string, accept?: string): Promise<Uint8Array | undefined> {
  const response = await fetch(url, { headers: accept ? { accept } : {} });
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function sha512Base64(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-512", bytes as Uint8Array<ArrayBuffer>),
  );
  return btoa(String.fromCharCode(...digest));
}

/** The package tarball `gz` rebuilt with `tar`, without any shared library in it. */
async function withoutLibrary(gz: Uint8Array): Promise<Uint8Array> {
  const dir = await Deno.makeTempDir({ prefix: "sqlink-nolib-" });
  try {
    await Deno.writeFile(join(dir, "in.tgz"), gz);
    const run = async (args: string[]) => {
      const out = await new Deno.Command("tar", { args, cwd: dir, stderr: "piped" }).output();
      if (!out.success) {
        throw new Error(`tar ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
      }
    };
    await run(["xzf", "in.tgz"]);
    for (const entry of walk(join(dir, "package"))) {
      if (/\.(so|dylib|dll)$/.test(entry)) await Deno.remove(entry);
    }
    await run(["czf", "out.tgz", "package"]);
    return await Deno.readFile(join(dir, "out.tgz"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function* walk(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walk(path);
    else yield path;
  }
}

/** Start a mirror on a free loopback port. */
export function startMirror(fault: MirrorFault = "none", options: { only?: string } = {}): Mirror {
  // The nolib fault rebuilds one tarball (its file name), not every version's.
  const only = options.only ?? "sqlite-lines-linux-x64-0.2.2.tgz";
  const seen: string[] = [];
  const controller = new AbortController();
  const stalls: Array<() => void> = [];
  let base = "";
  const nolib = new Map<string, Uint8Array>();
  const mirror: Mirror = {
    url: "",
    seen,
    fault,
    close: async () => {
      stalls.forEach((release) => release());
      controller.abort();
      await server.finished.catch(() => {});
    },
    [Symbol.asyncDispose]: () => mirror.close(),
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen: () => {} },
    async (request) => {
      const path = decodeURIComponent(new URL(request.url).pathname.slice(1));
      seen.push(path);
      if (mirror.fault === "stall") {
        await new Promise<void>((release) => stalls.push(release));
        return new Response("gone", { status: 503 });
      }
      const tarball = /^(.+)\/-\/([^/]+\.tgz)$/.exec(path);
      if (tarball) {
        let bytes = await cached(`tarballs/${tarball[2]}`, () => upstream(`${UPSTREAM}${path}`));
        if (!bytes) return new Response("not found", { status: 404 });
        if (mirror.fault === "flip") {
          bytes = bytes.slice();
          bytes[Math.floor(bytes.length / 2)] ^= 0x01;
        }
        if (mirror.fault === "nolib" && path.endsWith(only)) {
          if (!nolib.has(path)) nolib.set(path, await withoutLibrary(bytes));
          bytes = nolib.get(path)!;
        }
        return new Response(bytes as Uint8Array<ArrayBuffer>, {
          headers: { "content-type": "application/octet-stream" },
        });
      }
      const metadata = await cached(
        `${path.replace("/", "%2f")}.json`,
        () =>
          upstream(`${UPSTREAM}${path.replace("/", "%2f")}`, "application/vnd.npm.install-v1+json"),
      );
      if (!metadata) return Response.json({ error: "Not found" }, { status: 404 });
      const doc = JSON.parse(new TextDecoder().decode(metadata));
      for (
        const manifest of Object.values(doc.versions ?? {}) as Array<
          { dist?: { tarball?: string; integrity?: string } }
        >
      ) {
        const dist = manifest.dist;
        if (!dist?.tarball?.startsWith(UPSTREAM)) continue;
        const tail = dist.tarball.slice(UPSTREAM.length);
        dist.tarball = `${base}${tail}`;
        if (mirror.fault === "nolib" && tail.endsWith(only)) {
          // The registry publishes the integrity of what it serves.
          const gz = await cached(
            `tarballs/${tail.split("/").pop()}`,
            () => upstream(`${UPSTREAM}${tail}`),
          );
          if (gz) {
            if (!nolib.has(tail)) nolib.set(tail, await withoutLibrary(gz));
            dist.integrity = `sha512-${await sha512Base64(nolib.get(tail)!)}`;
          }
        }
      }
      return Response.json(doc);
    },
  );
  base = `http://127.0.0.1:${server.addr.port}/`;
  mirror.url = base;
  return mirror;
}

/** A loopback port nothing listens on (a registry that is down). */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
