/**
 * How commands speak: plain text or JSON on stdout, `error:`/`hint:` lines on stderr, and
 * the exit code. The one place that turns errors into messages (STYLE: deployctl's error.ts).
 */
import { installError, plainMessage, SqlinkError } from "../lib/errors.ts";

const encoder = new TextEncoder();

/**
 * Where a command's output goes: the process's stdout and stderr, or, for the shell's
 * `.cas`, its current output and its error sink.
 */
export interface OutputStreams {
  /** Text meant for standard output. */
  out(text: string): void;
  /** Text meant for standard error. */
  err(text: string): void;
  /** Raw bytes meant for standard output (`cas get` without `-o`). */
  bytes(bytes: Uint8Array): void;
  /** Standard output is a terminal (binary data is refused there). */
  outIsTerminal(): boolean;
  /** Standard error is a terminal (progress is drawn only there). */
  errIsTerminal(): boolean;
}

const processStreams: OutputStreams = {
  out: (text) => writeAllSync(Deno.stdout, encoder.encode(text)),
  err: (text) => writeAllSync(Deno.stderr, encoder.encode(text)),
  bytes: (bytes) => writeAllSync(Deno.stdout, bytes),
  outIsTerminal: () => Deno.stdout.isTerminal(),
  errIsTerminal: () => Deno.stderr.isTerminal(),
};

let streams: OutputStreams = processStreams;

/**
 * Run `fn` with every writer of this module (and progress) sending to `target` instead of
 * the process's stdout and stderr; the previous target is back when it settles.
 *
 * @example
 * ```ts
 * let text = "";
 * await withOutput({ ...currentOutput(), out: (t) => (text += t) }, async () => line("hi"));
 * ```
 */
export async function withOutput<T>(target: OutputStreams, fn: () => Promise<T>): Promise<T> {
  const previous = streams;
  streams = target;
  try {
    return await fn();
  } finally {
    streams = previous;
  }
}

/** Where output goes now. */
export function currentOutput(): OutputStreams {
  return streams;
}

/** Write text to stdout as is. */
export function out(text: string): void {
  streams.out(text);
}

/** Write one line to stdout. */
export function line(text = ""): void {
  out(text + "\n");
}

/** Write one line to stderr. */
export function note(text: string): void {
  streams.err(text + "\n");
}

/** Write bytes to stdout. */
export function outBytes(bytes: Uint8Array): void {
  streams.bytes(bytes);
}

function writeAllSync(stream: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  let at = 0;
  try {
    while (at < bytes.length) at += stream.writeSync(bytes.subarray(at));
  } catch (err) {
    // The reader went away (`sqlink cas ls | head -1`): like any Unix tool, stop quietly.
    if (err instanceof Deno.errors.BrokenPipe) Deno.exit(0);
    throw err;
  }
}

/** Pretty JSON on stdout, one value per command. */
export function printJson(value: unknown): void {
  line(JSON.stringify(value, null, 2));
}

/** Left-aligned columns separated by two spaces; `right` names columns to right-align. */
export function table(headers: string[], rows: string[][], right: number[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) =>
    cells.map((cell, i) => right.includes(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))
      .join("  ").trimEnd();
  return [fmt(headers), ...rows.map(fmt)].join("\n") + "\n";
}

/** A timestamp in ms as `YYYY-MM-DD HH:MM:SS` UTC. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/**
 * Report an error the way every command does and return the exit code: a SqlinkError
 * becomes `error:` + `hint:`; anything else is a bug, shown with its stack only when
 * SQLINK_DEBUG is set.
 */
export function reportError(thrown: unknown, options: { json?: boolean } = {}): number {
  const err = installError(thrown) ?? thrown;
  const known = err instanceof SqlinkError;
  const message = known ? err.message : `Unexpected failure: ${plainMessage(err)}`;
  const hint = known
    ? err.hint
    : "This is a bug in sqlink; rerun with SQLINK_DEBUG=1 for details and report it";
  if (options.json) {
    printJson({
      ok: false,
      error: { code: known ? err.code : "EINTERNAL", message, hint, ...(known ? err.details : {}) },
    });
  }
  note(`error: ${message}`);
  if (hint) note(`hint: ${hint}`);
  if (!known && Deno.env.get("SQLINK_DEBUG")) note(String((err as Error)?.stack ?? err));
  return known ? err.exitCode : 1;
}
