/**
 * What a remote is (SPEC §10): a URL with attributes, written the way ccache writes its
 * `remote_storage` (`http://host/cache|read-only|operation-timeout=30000`), from the
 * config file, `SQLINK_REMOTE` or `--remote`.
 */
import { UsageError } from "../errors.ts";
import { maskUrl } from "./redact.ts";

/** How long to wait for a connection before a remote counts as down. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
/** How long a request may go without any progress (headers or bytes) before it fails. */
export const DEFAULT_OPERATION_TIMEOUT_MS = 60_000;

/** One remote cache. */
export interface RemoteSpec {
  /** Its name in the config file; for one from SQLINK_REMOTE or --remote, undefined. */
  name?: string;
  /** The URL as given, credentials included (never printed: see `label`). */
  url: string;
  readOnly: boolean;
  connectTimeoutMs: number;
  operationTimeoutMs: number;
}

/** The schemes sqlink speaks. */
export const SCHEMES = ["http:", "https:", "s3:"];

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** Refuse a remote name that would be awkward on a command line. */
export function checkRemoteName(name: string): string {
  if (!NAME.test(name)) {
    throw new UsageError(`"${name}" is not a valid remote name`, {
      hint:
        "Use up to 64 letters, digits and _ . -, starting with a letter, digit or _ (e.g. team)",
    });
  }
  return name;
}

/** Check that `url` is one sqlink can use as a remote; returns it without a trailing slash. */
export function checkRemoteUrl(url: string, where = "remote URL"): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`Invalid ${where} "${maskUrl(url)}": it is not a URL`, { hint: URL_HINT });
  }
  if (!SCHEMES.includes(parsed.protocol)) {
    throw new UsageError(
      `Invalid ${where} "${maskUrl(url)}": sqlink speaks http, https and s3, not ${
        parsed.protocol.slice(0, -1)
      }`,
      { hint: URL_HINT },
    );
  }
  if (parsed.protocol !== "s3:" && (parsed.search || parsed.hash)) {
    throw new UsageError(
      `Invalid ${where} "${maskUrl(url)}": an http remote takes no query or fragment`,
      { hint: URL_HINT },
    );
  }
  if (!parsed.hostname) {
    throw new UsageError(`Invalid ${where} "${maskUrl(url)}": it names no host or bucket`, {
      hint: URL_HINT,
    });
  }
  return url.replace(/\/+$/, "").replace(/\/+(\?)/, "$1");
}

const URL_HINT =
  "Give http(s)://HOST/PREFIX (served by bazel-remote, or nginx with WebDAV) or s3://BUCKET/PREFIX?endpoint=URL&region=REGION";

function timeoutValue(text: string, attribute: string, where?: string): number {
  if (!/^[0-9]{1,9}$/.test(text) || Number(text) === 0) {
    throw new UsageError(
      `Invalid attribute "${attribute}"${
        where ? ` in ${where}` : ""
      }: expected a whole number of milliseconds`,
      { hint: "For example operation-timeout=30000 (30 s) or connect-timeout=2000" },
    );
  }
  return Number(text);
}

/**
 * Parse one `URL|attribute|…` word: `read-only`, `connect-timeout=MS`,
 * `operation-timeout=MS`. `where` names the source in errors (`SQLINK_REMOTE`, `--remote`).
 */
export function parseRemoteWord(word: string, where?: string): RemoteSpec {
  const [url, ...attributes] = word.split("|");
  const spec: RemoteSpec = {
    url: checkRemoteUrl(url, where === undefined ? "remote URL" : `remote URL in ${where}`),
    readOnly: false,
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    operationTimeoutMs: DEFAULT_OPERATION_TIMEOUT_MS,
  };
  for (const attribute of attributes) {
    const [key, value] = attribute.split(/=(.*)/s, 2);
    if (key === "read-only" && value === undefined) spec.readOnly = true;
    else if (key === "connect-timeout" && value !== undefined) {
      spec.connectTimeoutMs = timeoutValue(value, attribute, where);
    } else if (key === "operation-timeout" && value !== undefined) {
      spec.operationTimeoutMs = timeoutValue(value, attribute, where);
    } else {
      throw new UsageError(
        `Unknown remote attribute "${attribute}"${where ? ` in ${where}` : ""}`,
        {
          hint: "Attributes are read-only, connect-timeout=MS and operation-timeout=MS, after a |",
        },
      );
    }
  }
  return spec;
}

/** Parse `SQLINK_REMOTE`: space-separated `URL|attributes` words. */
export function parseRemoteList(text: string, where: string): RemoteSpec[] {
  return text.split(/\s+/).filter((w) => w !== "").map((w) => parseRemoteWord(w, where));
}

/** The URL as it may be printed: credentials masked. */
export function displayUrl(spec: Pick<RemoteSpec, "url">): string {
  return maskUrl(spec.url);
}

/** `"team" (http://cache/team)` or, for an unnamed remote, its masked URL. */
export function label(spec: Pick<RemoteSpec, "name" | "url">): string {
  return spec.name ? `"${spec.name}" (${displayUrl(spec)})` : displayUrl(spec);
}

/**
 * The key counters are kept under in the cas-cache: the URL without credentials or query
 * secrets, so one remote counts as one whether it came from the config, the environment
 * or a flag.
 */
export function statsKey(spec: Pick<RemoteSpec, "url">): string {
  try {
    const parsed = new URL(spec.url);
    parsed.username = "";
    parsed.password = "";
    return maskUrl(parsed.href).replace(/\/+$/, "");
  } catch {
    return displayUrl(spec);
  }
}
