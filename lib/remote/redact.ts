/**
 * Credentials never appear in output (SPEC §10): every URL sqlink prints, and every message
 * about a remote, goes through here first.
 */

/** Query parameters whose values are secrets (presigned URLs, tokens in a query string). */
const SECRET_PARAM = /token|secret|password|passwd|signature|credential|^sig$|key/i;

/** The secrets of this process (tokens, passwords, keys) that must never be printed. */
const known = new Set<string>();

/** Remember `secret` so that `redact` masks it wherever it turns up. */
export function registerSecret(secret: string | undefined): void {
  // Very short values would mask ordinary words; such a credential is no secret anyway.
  if (secret && secret.length >= 4) known.add(secret);
}

/**
 * `url` with its password (and a user name given without one, the way tokens are often
 * written: `https://TOKEN@host`) and secret-looking query values replaced by `***`.
 * Text that is not a URL is returned through `redact`.
 *
 * @example
 * ```ts
 * maskUrl("https://ci:hunter2@cache.example/team"); // "https://ci:***@cache.example/team"
 * ```
 */
export function maskUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redact(url);
  }
  let changed = false;
  if (parsed.password) {
    parsed.password = "***";
    changed = true;
  } else if (parsed.username) {
    parsed.username = "***";
    changed = true;
  }
  for (const [name] of [...parsed.searchParams]) {
    if (SECRET_PARAM.test(name)) {
      parsed.searchParams.set(name, "***");
      changed = true;
    }
  }
  // URL turns `***` into `%2A%2A%2A` in a query: show what a reader expects.
  return redact(changed ? parsed.href.replaceAll("%2A%2A%2A", "***") : url);
}

/** `text` with every registered secret, and any `user:password@` in it, masked. */
export function redact(text: string): string {
  let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^/\s@]*@/gi, "$1:***@");
  for (const secret of known) out = out.replaceAll(secret, "***");
  return out;
}
