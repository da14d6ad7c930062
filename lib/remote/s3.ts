/**
 * The S3 backend (SPEC §10): `s3://BUCKET/PREFIX?endpoint=URL&region=REGION&style=path|virtual`
 * for any S3-compatible store (AWS S3, MinIO, R2, Ceph RGW, Garage, SeaweedFS). Requests are
 * signed with SigV4 by aws4fetch from the standard AWS variables (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; AWS_REGION or AWS_DEFAULT_REGION; AWS_ENDPOINT_URL_S3
 * or AWS_ENDPOINT_URL). This module, and aws4fetch with it, loads only when an s3 remote is
 * in use.
 *
 * Payloads are signed, not UNSIGNED-PAYLOAD: a blob's key is the SHA-256 of its bytes, so
 * the store itself refuses a body that arrives damaged. Never overwriting is the tier's
 * HEAD-then-PUT: stores differ in whether they honour `If-None-Match: *`.
 */
import { AwsV4Signer } from "aws4fetch";
import { SqlinkError } from "../errors.ts";
import { sha256Hex } from "../cas/sha256.ts";
import type { Backend, Download } from "./backend.ts";
import { headLength, RemoteFault, statusFault } from "./fault.ts";
import { maskUrl, registerSecret } from "./redact.ts";
import type { RemoteSpec } from "./spec.ts";
import { type Body, request, type Timeouts } from "./transport.ts";

/** The SHA-256 of no bytes: the payload hash of HEAD, GET and DELETE. */
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** Where an s3:// URL points. */
export interface S3Location {
  bucket: string;
  /** The key prefix, without leading or trailing slashes ("" for none). */
  prefix: string;
  /** The service endpoint, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000`. */
  endpoint: URL;
  region: string;
  /** Path style (`endpoint/bucket/key`) or virtual-host style (`bucket.endpoint/key`). */
  style: "path" | "virtual";
}

function env(name: string): string | undefined {
  const value = Deno.env.get(name);
  return value === undefined || value === "" ? undefined : value;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Read an s3:// URL, with the environment's defaults for what it leaves out. */
export function parseS3Url(url: string): S3Location {
  const parsed = new URL(url);
  const bad = (why: string) =>
    new SqlinkError("EUSAGE", `Invalid s3 remote "${url}": ${why}`, {
      hint: "Write s3://BUCKET/PREFIX?endpoint=https://HOST&region=REGION (style=path|virtual)",
      exitCode: 2,
    });
  const bucket = parsed.hostname;
  if (!BUCKET.test(bucket)) throw bad(`"${bucket}" is not an S3 bucket name`);
  for (const key of parsed.searchParams.keys()) {
    if (!["endpoint", "region", "style"].includes(key)) throw bad(`unknown parameter "${key}"`);
  }
  const region = parsed.searchParams.get("region") ?? env("AWS_REGION") ??
    env("AWS_DEFAULT_REGION") ?? "us-east-1";
  const given = parsed.searchParams.get("endpoint") ?? env("AWS_ENDPOINT_URL_S3") ??
    env("AWS_ENDPOINT_URL");
  let endpoint: URL;
  try {
    endpoint = new URL(given ?? `https://s3.${region}.amazonaws.com`);
  } catch {
    throw bad(`the endpoint "${given}" is not a URL`);
  }
  if (endpoint.protocol !== "http:" && endpoint.protocol !== "https:") {
    throw bad("the endpoint must be http(s)");
  }
  const style = parsed.searchParams.get("style") ?? (given ? "path" : "virtual");
  if (style !== "path" && style !== "virtual") throw bad(`style must be path or virtual`);
  return {
    bucket,
    prefix: decodeURIComponent(parsed.pathname).replace(/^\/+|\/+$/g, ""),
    endpoint,
    region,
    style,
  };
}

/** The URL of `key` (a path under the prefix) in `location`. */
export function objectUrl(location: S3Location, key: string): string {
  const path = [location.prefix, key].filter((p) => p !== "").map(encodeKey).join("/");
  const base = new URL(location.endpoint.href);
  const root = base.pathname.replace(/\/+$/, "");
  if (location.style === "virtual") {
    base.hostname = `${location.bucket}.${base.hostname}`;
    base.pathname = `${root}/${path}`;
  } else {
    base.pathname = `${root}/${location.bucket}/${path}`;
  }
  return base.href;
}

function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

/** SigV4 credentials. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * The headers that sign one request (SigV4, service `s3` unless given): `x-amz-date`,
 * `x-amz-content-sha256`, the session token if any, and Authorization. Every header passed
 * in is signed. `datetime` (`YYYYMMDDTHHMMSSZ`) is for tests against published vectors.
 */
export async function signRequest(
  input: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    payloadSha256: string | null;
    region: string;
    service?: string;
    datetime?: string;
  },
  credentials: Credentials,
): Promise<Headers> {
  const headers = new Headers(input.headers);
  if (input.payloadSha256 !== null) headers.set("x-amz-content-sha256", input.payloadSha256);
  const signer = new AwsV4Signer({
    method: input.method,
    url: input.url,
    headers,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    service: input.service ?? "s3",
    region: input.region,
    datetime: input.datetime,
    allHeaders: true,
  });
  const signed = await signer.sign();
  return signed.headers;
}

/** The AWS credentials in the environment, or undefined. */
function credentialsFromEnv(): Credentials | undefined {
  const accessKeyId = env("AWS_ACCESS_KEY_ID");
  const secretAccessKey = env("AWS_SECRET_ACCESS_KEY");
  if (!accessKeyId || !secretAccessKey) return undefined;
  registerSecret(secretAccessKey);
  registerSecret(env("AWS_SESSION_TOKEN"));
  return { accessKeyId, secretAccessKey, sessionToken: env("AWS_SESSION_TOKEN") };
}

/** The error code an S3 error body names (`NoSuchBucket`, `SignatureDoesNotMatch`…). */
function s3Code(text: string): string | undefined {
  return /<Code>([^<]{1,64})<\/Code>/.exec(text)?.[1];
}

/** A remote in an S3-compatible bucket. */
export class S3Backend implements Backend {
  #location: S3Location;
  #display: string;
  #timeouts: Timeouts;
  #credentials?: Credentials;

  constructor(spec: RemoteSpec) {
    this.#location = parseS3Url(spec.url);
    this.#display = maskUrl(spec.url).split("?")[0].replace(/\/+$/, "");
    this.#timeouts = spec;
    this.#credentials = credentialsFromEnv();
  }

  display(key: string): string {
    return `${this.#display}/${key}`;
  }

  async #send(
    method: string,
    key: string,
    payloadSha256: string,
    body?: Body,
  ) {
    if (!this.#credentials) {
      throw new RemoteFault(
        "auth",
        `${method} ${
          this.display(key)
        } needs credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set`,
      );
    }
    const url = objectUrl(this.#location, key);
    const headers = await signRequest(
      { method, url, payloadSha256, region: this.#location.region },
      this.#credentials,
    );
    return await request(
      url,
      { method, headers, body },
      this.#timeouts,
      `${method} ${this.display(key)}`,
    );
  }

  async head(key: string): Promise<number | undefined> {
    const answer = await this.#send("HEAD", key, EMPTY_SHA256);
    return await headLength(answer, `HEAD ${this.display(key)}`);
  }

  async get(key: string): Promise<Download | undefined> {
    const answer = await this.#send("GET", key, EMPTY_SHA256);
    if (answer.status !== 200 || !answer.hasBody) {
      const code = s3Code(await answer.text().catch(() => ""));
      // A missing key is a miss; a missing bucket is a remote that cannot work.
      if (answer.status === 404 && code !== "NoSuchBucket") return undefined;
      throw statusFault(answer.status, `GET ${this.display(key)}`, code);
    }
    const length = answer.headers.get("content-length");
    return {
      size: length !== null && /^[0-9]+$/.test(length) ? Number(length) : undefined,
      stream: answer.stream,
      bytes: answer.bytes,
      discard: answer.discard,
    };
  }

  async put(key: string, body: Body, sha256?: string): Promise<void> {
    const hash = sha256 ?? (body instanceof Uint8Array ? sha256Hex(body) : "UNSIGNED-PAYLOAD");
    const answer = await this.#send("PUT", key, hash, body);
    const text = answer.status >= 200 && answer.status < 300
      ? ""
      : await answer.text().catch(() => "");
    await answer.discard();
    if (answer.status < 200 || answer.status > 299) {
      throw statusFault(answer.status, `PUT ${this.display(key)}`, s3Code(text));
    }
  }

  async delete(key: string): Promise<void> {
    const answer = await this.#send("DELETE", key, EMPTY_SHA256);
    await answer.discard();
    if (answer.status !== 404 && (answer.status < 200 || answer.status > 299)) {
      throw statusFault(answer.status, `DELETE ${this.display(key)}`);
    }
  }
}
