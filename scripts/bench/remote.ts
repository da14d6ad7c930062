/**
 * The remote tier against a real nginx WebDAV server on loopback (SPEC §10):
 *
 * - pulling a 3-extension bundle (sqlite-vec, sqlite-lines, sqlite-path) into an empty
 *   cache with `sqlink bundle pull`, against fetching the same three files with one
 *   parallel `curl` in the same run (target ≤ 1.5×; sqlink's own start-up, measured as
 *   `sqlink cas stats` on the same empty cache, is shown and taken out too);
 * - `sqlink cas push --all` and `sqlink cas pull` of 1,000 × 4 KiB blobs (target ≥ 1,000
 *   blobs/s each way);
 * - the requests a pull of a bundle the cache already holds makes (target: no HEAD, nothing
 *   beyond the name and the manifest), counted in nginx's access log.
 */
import { join } from "node:path";
import { CasStore } from "../../lib/cas/store.ts";
import { ensureFixtures } from "../fixtures.ts";
import { startNginx } from "../nginx.ts";
import { MAIN, median, SHELL_PERMISSIONS } from "./startup.ts";

const MEMBERS = ["vec0@0.1.9", "lines0", "path0"];
const BLOBS = 1000;
const BLOB_BYTES = 4096;

/** What the remote benchmark measured. */
export interface RemoteResult {
  pullMs: number[];
  curlMs: number[];
  floorMs: number[];
  /** Wall time of `cas push --all` and `cas pull` of the 1,000 blobs, whole processes. */
  pushMs: number;
  pullManyMs: number;
  /** Requests of a pull of a complete bundle, as nginx logged them. */
  completePull: string[];
  curl: boolean;
}

async function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...SHELL_PERMISSIONS, MAIN, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - started;
  if (!out.success) {
    throw new Error(
      `sqlink ${args.slice(0, 3).join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return { ms, stdout: new TextDecoder().decode(out.stdout) };
}

async function curlOnce(urls: string[], dir: string): Promise<number | undefined> {
  const args = ["-s", "-f", "--parallel", "--parallel-max", "8"];
  urls.forEach((url, i) => args.push("-o", join(dir, `f${i}`), url));
  const started = performance.now();
  try {
    const out = await new Deno.Command("curl", { args, stdout: "null", stderr: "null" }).output();
    if (!out.success) throw new Error(`curl exited ${out.code}`);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  return performance.now() - started;
}

/** Push a bundle and 1,000 blobs from one cache, then time pulls into fresh ones. */
export async function measureRemote(reps: number): Promise<RemoteResult> {
  const fixtures = await ensureFixtures({ only: MEMBERS });
  const work = await Deno.makeTempDir({ prefix: "sqlink-bench-remote-" });
  await using nginx = await startNginx();
  try {
    const remote = `${nginx.origin}/bench`;
    const base = { SQLINK_REMOTE: remote, SQLINK_CAS: "", XDG_CONFIG_HOME: join(work, "cfg") };
    const laptop = { ...base, SQLINK_CACHE_DIR: join(work, "laptop") };
    const loads = MEMBERS.flatMap((name) => ["--load", fixtures[name]]);
    await run([...loads, ":memory:", ".bundle save b3 --no-build"], laptop);
    await run(["bundle", "push", "b3"], laptop);
    const urls = MEMBERS.map((name) => {
      const bytes = Deno.readFileSync(fixtures[name]);
      return { name, bytes };
    });
    const { sha256Hex } = await import("../../lib/cas/sha256.ts");
    const memberUrls = urls.map((u) => `${remote}/cas/${sha256Hex(u.bytes)}`);

    const result: RemoteResult = {
      pullMs: [],
      curlMs: [],
      floorMs: [],
      pushMs: 0,
      pullManyMs: 0,
      completePull: [],
      curl: true,
    };
    for (let i = 0; i < reps; i++) {
      const fresh = { ...base, SQLINK_CACHE_DIR: join(work, `ci-${i}`) };
      result.floorMs.push((await run(["cas", "stats"], fresh)).ms);
      result.pullMs.push((await run(["bundle", "pull", "b3"], fresh)).ms);
      const dir = await Deno.makeTempDir({ dir: work });
      const curl = await curlOnce(memberUrls, dir);
      if (curl === undefined) result.curl = false;
      else result.curlMs.push(curl);
    }
    // A pull of the bundle the last runner now holds whole.
    const before = nginx.requests().length;
    await run(["bundle", "pull", "b3"], {
      ...base,
      SQLINK_CACHE_DIR: join(work, `ci-${reps - 1}`),
    });
    result.completePull = nginx.requests().slice(before);

    // 1,000 × 4 KiB: put straight into a cache (not timed), then push and pull through sqlink.
    const many = { ...base, SQLINK_CACHE_DIR: join(work, "many") };
    await Deno.mkdir(many.SQLINK_CACHE_DIR, { mode: 0o700 });
    const store = CasStore.open({ path: join(many.SQLINK_CACHE_DIR, "cas.sqlite") });
    const shas: string[] = [];
    try {
      const items = Array.from({ length: BLOBS }, () => ({
        bytes: crypto.getRandomValues(new Uint8Array(BLOB_BYTES)),
      }));
      for (const r of store.putMany(items).results) shas.push(r.sha256);
    } finally {
      store.close();
    }
    const pushed = await run(["cas", "push", "--all", "--remote", `${nginx.origin}/many`], many);
    result.pushMs = pushed.ms;
    const into = { ...base, SQLINK_CACHE_DIR: join(work, "many-ci") };
    const pulled = await run(
      ["cas", "pull", ...shas.map((s) => `sha256:${s}`), "--remote", `${nginx.origin}/many`],
      into,
    );
    result.pullManyMs = pulled.ms;
    return result;
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

/** The report lines, each target marked PASS or MISS. */
export function remoteReport(r: RemoteResult): string {
  const fmt = (v: number) => `${v.toFixed(1)} ms`;
  const pull = median(r.pullMs);
  const floor = median(r.floorMs);
  const lines = [
    `Remote tier over nginx WebDAV on loopback, ${r.pullMs.length} runs (median / min):`,
    `  sqlink bundle pull b3 (3 extensions, empty cache)   ${fmt(pull)} / ${
      fmt(Math.min(...r.pullMs))
    }`,
    `  sqlink cas stats (start-up floor, same cache kind)   ${fmt(floor)} / ${
      fmt(Math.min(...r.floorMs))
    }`,
  ];
  if (r.curl) {
    const curl = median(r.curlMs);
    const net = pull - floor;
    lines.push(
      `  curl --parallel of the same 3 files                 ${fmt(curl)} / ${
        fmt(Math.min(...r.curlMs))
      }`,
      `  pull ${(pull / curl).toFixed(2)}× curl; beyond sqlink's start-up ${fmt(net)} = ${
        (net / curl).toFixed(2)
      }× curl (target ≤ 1.5×): ${net / curl <= 1.5 ? "PASS" : "MISS"}`,
    );
  } else {
    lines.push("  curl is not installed: no comparison");
  }
  const heads = r.completePull.filter((l) => l.startsWith("HEAD")).length;
  const rate = (ms: number) => BLOBS / (Math.max(1, ms - floor) / 1000);
  const pushRate = rate(r.pushMs);
  const pullRate = rate(r.pullManyMs);
  lines.push(
    `  1,000 × 4 KiB push (cas push --all): ${fmt(r.pushMs)}, ${
      pushRate.toFixed(0)
    } blobs/s beyond start-up (${
      (BLOBS / (r.pushMs / 1000)).toFixed(0)
    } counting it; target ≥ 1000): ${pushRate >= 1000 ? "PASS" : "MISS"}`,
    `  1,000 × 4 KiB pull (cas pull REF×1000): ${fmt(r.pullManyMs)}, ${
      pullRate.toFixed(0)
    } blobs/s beyond start-up (${
      (BLOBS / (r.pullManyMs / 1000)).toFixed(0)
    } counting it; target ≥ 1000): ${pullRate >= 1000 ? "PASS" : "MISS"}`,
    `  pull of a complete bundle: ${r.completePull.length} requests (${
      r.completePull.join(", ")
    }), ${heads} HEAD (target: none beyond the name and manifest): ${
      heads === 0 && r.completePull.length <= 2 ? "PASS" : "MISS"
    }`,
  );
  return lines.join("\n");
}
