/**
 * Downloads for installing extensions (registry metadata, tarballs, pinned https files),
 * with the remote tier's transport: a connect timeout, and an idle timeout
 * (`npm_config_fetch_timeout` in ms, npm's own setting; 60 s by default) so a registry that
 * stalls ends in an error instead of a hang. Faults become one SqlinkError naming the URL.
 */
import { SqlinkError } from "../errors.ts";
import { RemoteFault } from "../remote/fault.ts";
import { request, type Timeouts } from "../remote/transport.ts";

function timeouts(): Timeouts {
  const raw = Deno.env.get("npm_config_fetch_timeout") ?? Deno.env.get("NPM_CONFIG_FETCH_TIMEOUT");
  const ms = raw && /^\d{1,9}$/.test(raw) && Number(raw) > 0 ? Number(raw) : 60_000;
  return { connectTimeoutMs: Math.min(ms, 5_000), operationTimeoutMs: ms };
}

/** Where downloads go wrong, in words (the URL without any credentials). */
function shown(url: string): string {
  const u = new URL(url);
  u.username = "";
  u.password = "";
  return u.href;
}

/**
 * GET `url`: its bytes, or undefined for a 404 (and a 405/410, which some registries send
 * for a package that is gone). Redirects are followed up to 5 times.
 */
export async function download(
  url: string,
  what: string,
  headers: Record<string, string> = {},
): Promise<Uint8Array | undefined> {
  let target = url;
  for (let hops = 0; hops <= 5; hops++) {
    let answer;
    try {
      answer = await request(
        target,
        { method: "GET", headers: new Headers(headers) },
        timeouts(),
        what,
      );
      if ([301, 302, 303, 307, 308].includes(answer.status)) {
        const location = answer.headers.get("location");
        await answer.discard();
        if (!location) break;
        target = new URL(location, target).href;
        continue;
      }
      if (answer.status === 404 || answer.status === 410) {
        await answer.discard();
        return undefined;
      }
      if (answer.status < 200 || answer.status > 299) {
        const body = (await answer.text().catch(() => "")).slice(0, 200).trim();
        throw new SqlinkError(
          "EHTTP",
          `Cannot download ${what} from ${shown(target)}: HTTP ${answer.status}${
            body ? ` (${body})` : ""
          }`,
          {
            hint: "Check the URL, the registry (npm_config_registry, .npmrc) and your credentials",
          },
        );
      }
      return await answer.bytes();
    } catch (err) {
      if (err instanceof SqlinkError) throw err;
      if (err instanceof RemoteFault) {
        throw new SqlinkError(
          "ENETWORK",
          `Cannot download ${what} from ${shown(target)}: ${err.message}`,
          {
            hint:
              "Check the network and the registry (npm_config_registry, .npmrc); nothing was installed",
            cause: err,
          },
        );
      }
      throw err;
    }
  }
  throw new SqlinkError("EHTTP", `Cannot download ${what} from ${shown(url)}: too many redirects`, {
    hint: "Check the URL",
  });
}
