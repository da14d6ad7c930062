/**
 * The one error type of sqlink. Library code throws it; the command layer prints
 * `error: <message>` and `hint: <hint>` and exits with `exitCode`.
 *
 * @example
 * ```ts
 * throw new SqlinkError("ENOTFOUND", 'No artifact matches "abcd"', {
 *   hint: "List what the cache holds with `sqlink cas ls`",
 * });
 * ```
 */
export class SqlinkError extends Error {
  /** A stable, machine-readable code such as `EINTEGRITY` or `ENOTFOUND`. */
  readonly code: string;
  /** What the user can do next, or undefined when there is nothing useful to say. */
  readonly hint?: string;
  /** The process exit code a command should end with: 1 for failures, 2 for usage. */
  readonly exitCode: number;
  /** Extra facts for `--json` output (expected/found hashes, candidates…). */
  readonly details?: Record<string, unknown>;

  constructor(
    code: string,
    message: string,
    options: {
      hint?: string;
      exitCode?: number;
      details?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "SqlinkError";
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
    this.details = options.details;
  }
}

/** A mistake in how a command was called (bad flag, malformed argument): exit code 2. */
export class UsageError extends SqlinkError {
  constructor(message: string, options: { hint?: string; details?: Record<string, unknown> } = {}) {
    super("EUSAGE", message, { ...options, exitCode: 2 });
    this.name = "UsageError";
  }
}

/** True for an error raised by Deno or the OS with one of the given error names. */
export function isOsError(err: unknown, ...names: string[]): boolean {
  return err instanceof Error && names.includes(err.name);
}

/**
 * Turn a filesystem error about `path` into a SqlinkError with a clear message.
 * `doing` is a verb phrase: "read", "write to", "create".
 */
export function fsError(err: unknown, doing: string, path: string): SqlinkError {
  if (err instanceof SqlinkError) return err;
  const name = err instanceof Error ? err.name : "";
  const code = (err as { code?: string })?.code ?? "";
  if (name === "NotFound" || code === "ENOENT") {
    return new SqlinkError("ENOENT", `Cannot ${doing} "${path}": no such file or directory`, {
      hint: "Check the path and try again",
      cause: err,
    });
  }
  if (name === "PermissionDenied" || name === "NotCapable" || code === "EACCES") {
    return new SqlinkError("EACCES", `Cannot ${doing} "${path}": permission denied`, {
      hint: "Check the file's permissions, or choose another location",
      cause: err,
    });
  }
  if (name === "IsADirectory" || code === "EISDIR") {
    return new SqlinkError("EISDIR", `Cannot ${doing} "${path}": it is a directory`, {
      hint: "Name a file, not a directory",
      cause: err,
    });
  }
  if (code === "ENOSPC" || /no space left/i.test(String((err as Error)?.message))) {
    return new SqlinkError("ENOSPC", `Cannot ${doing} "${path}": the disk is full`, {
      hint: "Free some space (for example with `sqlink cas gc`) and try again",
      cause: err,
    });
  }
  if (name === "ReadOnly" || code === "EROFS") {
    return new SqlinkError("EROFS", `Cannot ${doing} "${path}": the file system is read-only`, {
      hint: "Choose a writable location",
      cause: err,
    });
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new SqlinkError("EIO", `Cannot ${doing} "${path}": ${detail}`, { cause: err });
}

/** Terminal colour and cursor sequences, which Deno writes into some of its error messages. */
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** The text of any thrown value, without terminal escape sequences. */
export function plainMessage(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(ANSI, "");
}

/**
 * A failure to import part of sqlink itself as one clear error, else undefined. Deno names a
 * bare specifier its import map lacks (`Import "blake3-jit" not a dependency`) when sqlink
 * was started without its deno.json, as `deno install` does without `--config`.
 */
export function installError(err: unknown): SqlinkError | undefined {
  if (!(err instanceof TypeError)) return undefined;
  const message = plainMessage(err).split("\n")[0];
  if (
    !/^(Import "[^"]+" not a dependency|Relative import path "[^"]+" not prefixed)/.test(message)
  ) {
    return undefined;
  }
  return new SqlinkError("EINSTALL", `sqlink was started without its deno.json: ${message}`, {
    hint: "Install it from the checkout with `deno install -g -A --config deno.json -n sqlink " +
      "main.ts`, or run it there with `deno task sqlink`",
    cause: err,
  });
}
