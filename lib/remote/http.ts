/**
 * The HTTP backend (SPEC §10): `HEAD/GET/PUT {base}/{key}`, the layout bazel-remote serves
 * natively and nginx serves with WebDAV. Credentials: a bearer token from
 * `SQLINK_REMOTE_TOKEN`, else basic auth from the URL's `user:password@`, else from netrc.
 * They travel in the Authorization header only, never in a URL that could be printed.
 */
import type { Backend, Download } from "./backend.ts";
import { headLength, statusFault } from "./fault.ts";
import { netrcFor } from "./netrc.ts";
import { maskUrl, registerSecret } from "./redact.ts";
import type { RemoteSpec } from "./spec.ts";
import { type Body, request, type Timeouts } from "./transport.ts";

/** The environment variable holding a bearer token for http(s) remotes. */
export const TOKEN_ENV = "SQLINK_REMOTE_TOKEN";

/** The Authorization header for `url`, if any credentials apply. */
function authorization(url: URL): string | undefined {
  const token = Deno.env.get(TOKEN_ENV);
  if (token) {
    registerSecret(token);
    return `Bearer ${token}`;
  }
  let user = decodeURIComponent(url.username);
  let password = decodeURIComponent(url.password);
  if (!user) {
    const entry = netrcFor(url.hostname);
    if (!entry) return undefined;
    user = entry.login;
    password = entry.password;
  }
  registerSecret(password);
  const pair = new TextEncoder().encode(`${user}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...pair))}`;
}

/** A remote reached over HTTP(S). */
export class HttpBackend implements Backend {
  #base: string;
  #display: string;
  #auth?: string;
  #timeouts: Timeouts;

  constructor(spec: RemoteSpec) {
    const url = new URL(spec.url);
    this.#auth = authorization(url);
    url.username = "";
    url.password = "";
    this.#base = url.href.replace(/\/+$/, "");
    this.#display = maskUrl(spec.url).replace(/\/+$/, "");
    this.#timeouts = spec;
  }

  display(key: string): string {
    return `${this.#display}/${key}`;
  }

  #headers(): Headers {
    const headers = new Headers();
    if (this.#auth) headers.set("authorization", this.#auth);
    return headers;
  }

  async head(key: string): Promise<number | undefined> {
    const answer = await request(
      `${this.#base}/${key}`,
      { method: "HEAD", headers: this.#headers() },
      this.#timeouts,
      `HEAD ${this.display(key)}`,
    );
    return await headLength(answer, `HEAD ${this.display(key)}`);
  }

  async get(key: string): Promise<Download | undefined> {
    const answer = await request(
      `${this.#base}/${key}`,
      { method: "GET", headers: this.#headers() },
      this.#timeouts,
      `GET ${this.display(key)}`,
    );
    if (answer.status === 404) {
      await answer.discard();
      return undefined;
    }
    if (answer.status !== 200 || !answer.hasBody) {
      await answer.discard();
      throw statusFault(answer.status, `GET ${this.display(key)}`);
    }
    const length = answer.headers.get("content-length");
    return {
      size: length !== null && /^[0-9]+$/.test(length) ? Number(length) : undefined,
      stream: answer.stream,
      bytes: answer.bytes,
      discard: answer.discard,
    };
  }

  async put(key: string, body: Body): Promise<void> {
    const headers = this.#headers();
    headers.set("content-type", "application/octet-stream");
    const answer = await request(
      `${this.#base}/${key}`,
      { method: "PUT", headers, body },
      this.#timeouts,
      `PUT ${this.display(key)}`,
    );
    await answer.discard();
    if (answer.status < 200 || answer.status > 299) {
      throw statusFault(answer.status, `PUT ${this.display(key)}`);
    }
  }

  async delete(key: string): Promise<void> {
    const answer = await request(
      `${this.#base}/${key}`,
      { method: "DELETE", headers: this.#headers() },
      this.#timeouts,
      `DELETE ${this.display(key)}`,
    );
    await answer.discard();
    if (answer.status !== 404 && (answer.status < 200 || answer.status > 299)) {
      throw statusFault(answer.status, `DELETE ${this.display(key)}`);
    }
  }
}
