/**
 * HTTP requests to a remote with the two timeouts SPEC §10 asks for: a connection within
 * `connectTimeoutMs` (about 2 s: a host that is down must not hold a command up), and no
 * request that goes `operationTimeoutMs` without progress (headers, or bytes either way).
 * The operation timeout is an idle timeout, not a deadline, so a 256 MiB blob on a slow
 * but working link still gets through.
 */
import { RemoteFault } from "./fault.ts";

/** The timeouts of one remote. */
export interface Timeouts {
  connectTimeoutMs: number;
  operationTimeoutMs: number;
}

/** A body to send: bytes in memory, or a stream of a known size (a file). */
export type Body = Uint8Array | { size: number; stream: () => ReadableStream<Uint8Array> };

/** An answer whose body has not been read yet. */
export interface Answer {
  status: number;
  headers: Headers;
  /** True when the answer has a body to read. */
  hasBody: boolean;
  /** The body as a stream, wrapped so that a stall counts against the operation timeout. */
  stream(): ReadableStream<Uint8Array>;
  /**
   * The whole body at once, for small answers: reading a stream piece by piece costs far
   * more per request than one read, which matters for thousands of small blobs. The
   * operation timeout then bounds the whole read.
   */
  bytes(): Promise<Uint8Array>;
  /** Read the whole body as text (small answers: errors, refs). */
  text(): Promise<string>;
  /** Drop the body unread. */
  discard(): Promise<void>;
}

const probes = new Map<string, Promise<void>>();

/**
 * Open (and close) one TCP connection to the URL's host, once per process and host: the
 * connect timeout Deno's fetch lacks. A host that is down fails here in at most
 * `timeoutMs`, before any request waits on it.
 */
function probe(url: URL, timeoutMs: number): Promise<void> {
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const key = `${hostname}:${port}`;
  let done = probes.get(key);
  if (!done) {
    done = connectWithin(hostname, port, timeoutMs);
    probes.set(key, done);
  }
  return done;
}

async function connectWithin(hostname: string, port: number, timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const attempt = Deno.connect({ hostname, port });
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new RemoteFault(
            "down",
            `no connection to ${hostname}:${port} within ${timeoutMs / 1000} s`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    const conn = await Promise.race([attempt, timeout]);
    conn.close();
  } catch (err) {
    // A connection that completes after the timeout is closed, not leaked.
    attempt.then((c) => c.close(), () => {});
    if (err instanceof RemoteFault) throw err;
    throw new RemoteFault(
      "down",
      `cannot connect to ${hostname}:${port}: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Forget the probes (tests start and stop servers on reused ports). */
export function resetProbes(): void {
  probes.clear();
}

/** A watchdog that aborts the request when nothing moves for `ms`. */
class Idle {
  readonly controller = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ms: number;
  fired = false;

  constructor(ms: number) {
    this.#ms = ms;
    this.poke();
  }

  poke(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort();
    }, this.#ms);
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}

/** `stream`, poking `idle` on every piece and stopping it at the end. */
function watched(
  stream: ReadableStream<Uint8Array>,
  idle: Idle,
  what: string,
): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          idle.stop();
          controller.close();
          return;
        }
        idle.poke();
        controller.enqueue(value);
      } catch (err) {
        idle.stop();
        controller.error(failure(err, idle, what));
      }
    },
    cancel(reason) {
      idle.stop();
      return reader.cancel(reason);
    },
  });
}

function failure(err: unknown, idle: Idle, what: string): RemoteFault {
  if (err instanceof RemoteFault) return err;
  if (idle.fired) {
    return new RemoteFault("timeout", `${what} made no progress for ${idleSeconds(idle)} s`, {
      cause: err,
    });
  }
  return new RemoteFault("down", `${what} failed: ${(err as Error)?.message ?? err}`, {
    cause: err,
  });
}

const idleMs = new WeakMap<Idle, number>();
function idleSeconds(idle: Idle): number {
  return (idleMs.get(idle) ?? 0) / 1000;
}

/**
 * Send one request. Network failures and timeouts become RemoteFaults; any HTTP status is
 * returned for the caller to judge. `what` names the request in messages.
 */
export async function request(
  url: string,
  init: { method: string; headers?: Headers; body?: Body },
  timeouts: Timeouts,
  what: string,
): Promise<Answer> {
  const target = new URL(url);
  await probe(target, timeouts.connectTimeoutMs);
  if (init.body && !(init.body instanceof Uint8Array)) {
    return await streamedRequest(target, init.method, init.headers, init.body, timeouts, what);
  }
  const idle = new Idle(timeouts.operationTimeoutMs);
  idleMs.set(idle, timeouts.operationTimeoutMs);
  const headers = new Headers(init.headers);
  const body = init.body as Uint8Array<ArrayBuffer> | undefined;
  let response: Response;
  try {
    response = await fetch(target, {
      method: init.method,
      headers,
      body,
      signal: idle.controller.signal,
      redirect: "manual",
    });
  } catch (err) {
    idle.stop();
    throw failure(err, idle, what);
  }
  idle.poke();
  if (!response.body) idle.stop();
  const whole = async () => {
    try {
      return new Uint8Array(await response.arrayBuffer());
    } catch (err) {
      throw failure(err, idle, what);
    } finally {
      idle.stop();
    }
  };
  return {
    status: response.status,
    headers: response.headers,
    hasBody: response.body !== null,
    stream: () =>
      response.body ? watched(response.body, idle, what) : new ReadableStream({
        start: (c) => c.close(),
      }),
    bytes: whole,
    async text() {
      return new TextDecoder().decode(await whole());
    },
    async discard() {
      idle.stop();
      await response.body?.cancel().catch(() => {});
    },
  };
}

/**
 * A request whose body is streamed (a file): sent through node:http(s) with its
 * Content-Length, because fetch sends a stream chunked, which S3 refuses (and bazel-remote
 * may). Progress either way resets the operation timeout; the (small) answer is read whole.
 */
async function streamedRequest(
  url: URL,
  method: string,
  given: Headers | undefined,
  body: { size: number; stream: () => ReadableStream<Uint8Array> },
  timeouts: Timeouts,
  what: string,
): Promise<Answer> {
  const http = url.protocol === "https:" ? await import("node:https") : await import("node:http");
  const headers: Record<string, string> = {};
  new Headers(given).forEach((value, name) => headers[name] = value);
  headers["content-length"] = String(body.size);
  const stalled = () =>
    new RemoteFault(
      "timeout",
      `${what} made no progress for ${timeouts.operationTimeoutMs / 1000} s`,
    );
  const { status, responseHeaders, bytes } = await new Promise<
    { status: number; responseHeaders: Headers; bytes: Uint8Array }
  >((resolve, reject) => {
    const reader = body.stream().getReader();
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      reader.cancel().catch(() => {});
      req.destroy();
      reject(
        err instanceof RemoteFault
          ? err
          : new RemoteFault("down", `${what} failed: ${(err as Error)?.message ?? err}`, {
            cause: err,
          }),
      );
    };
    const req = http.request(url, { method, headers });
    // node's socket timeout is an idle timeout: any byte either way resets it.
    req.setTimeout(timeouts.operationTimeoutMs, () => fail(stalled()));
    req.on("error", fail);
    req.on("response", (res) => {
      const pieces: Uint8Array[] = [];
      res.on("data", (piece: Uint8Array) => pieces.push(piece));
      res.on("error", fail);
      res.on("end", () => {
        if (settled) return;
        settled = true;
        reader.cancel().catch(() => {});
        const answer = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (typeof value === "string") answer.set(name, value);
        }
        const size = pieces.reduce((n, p) => n + p.length, 0);
        const whole = new Uint8Array(size);
        let at = 0;
        for (const piece of pieces) {
          whole.set(piece, at);
          at += piece.length;
        }
        resolve({ status: res.statusCode ?? 0, responseHeaders: answer, bytes: whole });
      });
    });
    (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || settled) break;
        if (!req.write(value)) {
          await new Promise<void>((drained) => {
            req.once("drain", drained);
            req.once("close", drained);
          });
        }
      }
      if (!settled) req.end();
    })().catch(fail);
  });
  return {
    status,
    headers: responseHeaders,
    hasBody: bytes.length > 0,
    stream: () =>
      new ReadableStream({
        start(c) {
          if (bytes.length > 0) c.enqueue(bytes);
          c.close();
        },
      }),
    bytes: () => Promise.resolve(bytes),
    text: () => Promise.resolve(new TextDecoder().decode(bytes)),
    discard: () => Promise.resolve(),
  };
}
