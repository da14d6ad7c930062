/**
 * What can go wrong with a remote, as one error type the tier sorts: a remote that is
 * down, slow, failing or lying is put aside for the rest of the process (SPEC §10); one
 * that refuses our credentials is named with a hint about them.
 */
import { redact } from "./redact.ts";

/** Why a request to a remote failed. */
export type FaultKind =
  /** No connection (refused, unreachable, name not found, connect timeout). */
  | "down"
  /** No progress within the operation timeout. */
  | "timeout"
  /** A 5xx, or an answer that makes no sense. */
  | "server"
  /** 401 or 403: our credentials, or the lack of them. */
  | "auth"
  /** Another 4xx: the remote will not do this (no such bucket, method not allowed). */
  | "refused"
  /** Bytes that do not hash to their key, or an object of the wrong size. */
  | "integrity";

/** One failed request (or check) against a remote. */
export class RemoteFault extends Error {
  /** What kind of failure it is. */
  readonly kind: FaultKind;
  /** The HTTP status, when there was an answer. */
  readonly status?: number;

  constructor(
    kind: FaultKind,
    message: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(redact(message), { cause: options.cause });
    this.name = "RemoteFault";
    this.kind = kind;
    this.status = options.status;
  }
}

/** The fault an HTTP status means (for answers other than 2xx and 404). */
export function statusFault(status: number, doing: string, detail = ""): RemoteFault {
  const extra = detail ? `: ${detail}` : "";
  if (status === 401 || status === 403) {
    return new RemoteFault("auth", `${doing} was refused with HTTP ${status}${extra}`, { status });
  }
  if (status >= 500) {
    return new RemoteFault("server", `${doing} failed with HTTP ${status}${extra}`, { status });
  }
  return new RemoteFault("refused", `${doing} was refused with HTTP ${status}${extra}`, {
    status,
  });
}

/**
 * The size a HEAD answer gives for an object: undefined when there is none (404), a fault for
 * any other status or a missing length. The answer's body is discarded.
 */
export async function headLength(
  answer: {
    status: number;
    headers: { get(name: string): string | null };
    discard(): Promise<void>;
  },
  doing: string,
): Promise<number | undefined> {
  await answer.discard();
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw statusFault(answer.status, doing);
  const length = answer.headers.get("content-length");
  if (length === null || !/^[0-9]+$/.test(length)) {
    throw new RemoteFault("server", `${doing} answered without a Content-Length`);
  }
  return Number(length);
}
