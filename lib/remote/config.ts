/**
 * The remotes a person configured (SPEC §2, §10): `$XDG_CONFIG_HOME/sqlink/config.json`,
 * else `~/.config/sqlink/config.json` (Windows: `%APPDATA%\sqlink\config.json`), a JSON file
 * a person can read and edit:
 *
 * ```json
 * { "remotes": [{ "name": "team", "url": "https://cache.example/sqlink", "readOnly": false }] }
 * ```
 *
 * The folder is 0700 and the file 0600 (a URL may carry a password), written atomically;
 * keys sqlink does not know are kept as they are.
 */
import { dirname, join, resolve } from "node:path";
import { fsError, SqlinkError, UsageError } from "../errors.ts";
import { ensurePrivateDir, newTempSibling, removeQuietly } from "../fs.ts";
import {
  checkRemoteName,
  checkRemoteUrl,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_OPERATION_TIMEOUT_MS,
  parseRemoteList,
  parseRemoteWord,
  type RemoteSpec,
} from "./spec.ts";

function env(name: string): string | undefined {
  const value = Deno.env.get(name);
  return value === undefined || value === "" ? undefined : value;
}

/** The config file: `$XDG_CONFIG_HOME/sqlink/config.json`, else under `~/.config`. */
export function configPath(): string {
  if (Deno.build.os === "windows") {
    const appData = env("APPDATA");
    if (appData) return join(appData, "sqlink", "config.json");
  }
  const xdg = env("XDG_CONFIG_HOME");
  if (xdg) return join(resolve(xdg), "sqlink", "config.json");
  const home = Deno.build.os === "windows" ? env("USERPROFILE") : env("HOME");
  if (!home) {
    throw new SqlinkError("ENOHOME", "Cannot find the config folder: HOME is not set", {
      hint: "Set HOME or XDG_CONFIG_HOME, or give remotes with SQLINK_REMOTE or --remote",
    });
  }
  return join(home, ".config", "sqlink", "config.json");
}

/** The parsed file: the remotes, and whatever else it holds (kept on write). */
interface ConfigFile {
  remotes: RemoteSpec[];
  rest: Record<string, unknown>;
}

function badConfig(path: string, why: string): SqlinkError {
  return new SqlinkError("ECONFIG", `Cannot read the config file "${path}": ${why}`, {
    hint: "Fix the file by hand (it is JSON), or move it aside and add the remotes again",
  });
}

function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { remotes: [], rest: {} };
    throw fsError(err, "read", path);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw badConfig(path, `it is not valid JSON (${(err as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw badConfig(path, "it is not a JSON object");
  }
  const { remotes = [], ...rest } = json as Record<string, unknown>;
  if (!Array.isArray(remotes)) throw badConfig(path, `"remotes" is not a list`);
  const names = new Set<string>();
  const specs = remotes.map((entry, i) => {
    const where = `remote ${i + 1} of ${path}`;
    if (typeof entry !== "object" || entry === null) throw badConfig(path, `${where} is no object`);
    const { name, url, readOnly, connectTimeoutMs, operationTimeoutMs } = entry as Record<
      string,
      unknown
    >;
    if (typeof name !== "string" || typeof url !== "string") {
      throw badConfig(path, `${where} needs a "name" and a "url"`);
    }
    try {
      checkRemoteName(name);
      const spec = parseRemoteWord(url, where);
      if (names.has(name)) throw badConfig(path, `the name "${name}" is used twice`);
      names.add(name);
      return {
        ...spec,
        name,
        readOnly: spec.readOnly || readOnly === true,
        connectTimeoutMs: positive(connectTimeoutMs) ?? spec.connectTimeoutMs,
        operationTimeoutMs: positive(operationTimeoutMs) ?? spec.operationTimeoutMs,
      };
    } catch (err) {
      if (err instanceof UsageError) throw badConfig(path, err.message);
      throw err;
    }
  });
  return { remotes: specs, rest };
}

function positive(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** Write the config atomically: a private temporary sibling, renamed over the file. */
function writeConfigFile(path: string, config: ConfigFile): void {
  ensurePrivateDir(dirname(path));
  const remotes = config.remotes.map((r) => ({
    name: r.name,
    url: r.url,
    readOnly: r.readOnly,
    ...(r.connectTimeoutMs !== DEFAULT_CONNECT_TIMEOUT_MS
      ? { connectTimeoutMs: r.connectTimeoutMs }
      : {}),
    ...(r.operationTimeoutMs !== DEFAULT_OPERATION_TIMEOUT_MS
      ? { operationTimeoutMs: r.operationTimeoutMs }
      : {}),
  }));
  const text = JSON.stringify({ ...config.rest, remotes }, null, 2) + "\n";
  const temp = newTempSibling(path);
  try {
    const file = Deno.openSync(temp, { write: true, createNew: true, mode: 0o600 });
    try {
      // The umask may have narrowed the mode, never widened it; make it exactly 0600.
      if (Deno.build.os !== "windows") Deno.chmodSync(temp, 0o600);
      file.writeSync(new TextEncoder().encode(text));
      file.syncSync();
    } finally {
      file.close();
    }
    Deno.renameSync(temp, path);
  } catch (err) {
    removeQuietly(temp);
    throw fsError(err, "write to", path);
  }
}

/** The remotes of the config file, in order. */
export function configuredRemotes(path = configPath()): RemoteSpec[] {
  return readConfigFile(path).remotes;
}

/** Add a remote; a name already in use is an error. Returns the remote as saved. */
export function addRemote(
  name: string,
  url: string,
  options: { readOnly?: boolean; connectTimeoutMs?: number; operationTimeoutMs?: number } = {},
  path = configPath(),
): RemoteSpec {
  checkRemoteName(name);
  const parsed = parseRemoteWord(url);
  const config = readConfigFile(path);
  if (config.remotes.some((r) => r.name === name)) {
    throw new SqlinkError("EEXIST", `A remote named "${name}" already exists`, {
      hint: `Remove it first with \`sqlink remote rm ${name}\`, or choose another name`,
    });
  }
  const spec: RemoteSpec = {
    ...parsed,
    url: checkRemoteUrl(parsed.url),
    name,
    readOnly: parsed.readOnly || options.readOnly === true,
    connectTimeoutMs: options.connectTimeoutMs ?? parsed.connectTimeoutMs,
    operationTimeoutMs: options.operationTimeoutMs ?? parsed.operationTimeoutMs,
  };
  config.remotes.push(spec);
  writeConfigFile(path, config);
  return spec;
}

/** Remove the remote called `name`; returns it. */
export function removeRemote(name: string, path = configPath()): RemoteSpec {
  const config = readConfigFile(path);
  const found = config.remotes.find((r) => r.name === name);
  if (!found) {
    throw new SqlinkError("ENOTFOUND", `No remote is named "${name}"`, {
      hint: "List the configured remotes with `sqlink remote ls`",
    });
  }
  config.remotes = config.remotes.filter((r) => r !== found);
  writeConfigFile(path, config);
  return found;
}

/** What a command was told about remotes: `--remote URL|NAME` (repeatable) and `--no-remote`. */
export interface RemoteFlags {
  remote?: string[];
  noRemote?: boolean;
}

/** Where the remotes in effect came from. */
export type RemoteSource = "none" | "flag" | "env" | "config";

/**
 * The remotes in effect, in order: none with `--no-remote`; else exactly those of
 * `--remote` (a URL, or the name of a configured remote); else `SQLINK_REMOTE` when it is
 * set (set and empty: none); else the config file's.
 */
export function remotesInEffect(flags: RemoteFlags = {}): {
  remotes: RemoteSpec[];
  source: RemoteSource;
} {
  if (flags.noRemote) {
    if (flags.remote?.length) {
      throw new UsageError("--remote and --no-remote contradict each other", {
        hint: "Give one of them",
      });
    }
    return { remotes: [], source: "none" };
  }
  if (flags.remote?.length) {
    let configured: RemoteSpec[] | undefined;
    const remotes = flags.remote.map((word) => {
      if (/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(word)) {
        configured ??= configuredRemotes();
        const found = configured.find((r) => r.name === word);
        if (found) return found;
        throw new UsageError(`--remote ${word}: no remote is named "${word}"`, {
          hint: "Give a URL, or the name of a remote from `sqlink remote ls`",
        });
      }
      return parseRemoteWord(word, "--remote");
    });
    return { remotes, source: "flag" };
  }
  const fromEnv = Deno.env.get("SQLINK_REMOTE");
  if (fromEnv !== undefined) {
    return { remotes: parseRemoteList(fromEnv, "SQLINK_REMOTE"), source: "env" };
  }
  return { remotes: configuredRemotes(), source: "config" };
}
