/**
 * Basic-auth credentials from a netrc file (`$NETRC`, else `~/.netrc`), as curl and git
 * read it: `machine HOST login USER password PASS`, or a `default` entry.
 */
import { join } from "node:path";

/** A login and password for one host. */
export interface NetrcEntry {
  login: string;
  password: string;
}

/** The netrc file to read, or undefined when there is no home. */
function netrcPath(): string | undefined {
  const explicit = Deno.env.get("NETRC");
  if (explicit) return explicit;
  const home = Deno.build.os === "windows" ? Deno.env.get("USERPROFILE") : Deno.env.get("HOME");
  return home ? join(home, ".netrc") : undefined;
}

/** Parse netrc text; returns the entry for `host` (or the default), if any. */
export function parseNetrc(text: string, host: string): NetrcEntry | undefined {
  const words = text.split(/\s+/).filter((w) => w !== "");
  let current: { machine?: string; login?: string; password?: string } | undefined;
  const entries: Array<{ machine?: string; login?: string; password?: string }> = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word === "machine") {
      current = { machine: words[++i] };
      entries.push(current);
    } else if (word === "default") {
      current = {};
      entries.push(current);
    } else if (word === "macdef") {
      // A macro runs to the next blank line; no credentials inside it.
      current = undefined;
    } else if (current && (word === "login" || word === "password")) {
      current[word] = words[++i];
    }
  }
  const match = entries.find((e) => e.machine === host) ??
    entries.find((e) => e.machine === undefined);
  if (!match || match.login === undefined || match.password === undefined) return undefined;
  return { login: match.login, password: match.password };
}

/** The netrc entry for `host`, or undefined when there is none (or no file). */
export function netrcFor(host: string): NetrcEntry | undefined {
  const path = netrcPath();
  if (!path) return undefined;
  try {
    return parseNetrc(Deno.readTextFileSync(path), host);
  } catch {
    return undefined;
  }
}
