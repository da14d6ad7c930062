/**
 * Which npm registry to ask, the way npm decides it: `npm_config_registry` in the
 * environment, else a `registry=` line in the project's `.npmrc` (the working directory's),
 * else in the user's (`$NPM_CONFIG_USERCONFIG`, else `~/.npmrc`), else the public registry.
 * A scoped package (`@scope/name`) takes `@scope:registry=` first, as npm does.
 */
import { join } from "../path.ts";
import { SqlinkError } from "../errors.ts";

/** npm's default registry. */
export const PUBLIC_REGISTRY = "https://registry.npmjs.org/";

/** Where the registry setting came from, for messages. */
export interface RegistryChoice {
  /** The registry's base URL, ending with `/`. */
  url: string;
  /** `npm_config_registry`, `/home/me/.npmrc`, or `default`. */
  from: string;
}

function env(name: string): string | undefined {
  return Deno.env.get(name) ?? Deno.env.get(name.toUpperCase()) ?? undefined;
}

/** `key=value` lines of an .npmrc, `${VAR}` expanded; comments and blank lines skipped. */
export function parseNpmrc(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
    value = value.replace(/\$\{([^}]+)\}/g, (_, name: string) => Deno.env.get(name) ?? "");
    settings.set(key, value);
  }
  return settings;
}

function readNpmrc(path: string): Map<string, string> | undefined {
  try {
    return parseNpmrc(Deno.readTextFileSync(path));
  } catch {
    // No file (or an unreadable one) is no setting, as for npm.
    return undefined;
  }
}

function homeDir(): string | undefined {
  return Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
}

/** The registry for package `name` (see the module comment). */
export function registryFor(name: string, cwd: string = Deno.cwd()): RegistryChoice {
  const scope = name.startsWith("@") ? name.slice(0, name.indexOf("/")) : undefined;
  const fromEnv = (scope && env(`npm_config_${scope}:registry`)) || env("npm_config_registry");
  if (fromEnv) {
    return { url: checkRegistry(fromEnv, "npm_config_registry"), from: "npm_config_registry" };
  }
  const home = homeDir();
  const files = [
    join(cwd, ".npmrc"),
    env("npm_config_userconfig") ?? (home ? join(home, ".npmrc") : undefined),
  ].filter((f): f is string => f !== undefined);
  for (const file of files) {
    const settings = readNpmrc(file);
    const value = (scope && settings?.get(`${scope}:registry`)) || settings?.get("registry");
    if (value) return { url: checkRegistry(value, file), from: file };
  }
  return { url: PUBLIC_REGISTRY, from: "default" };
}

function checkRegistry(value: string, from: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SqlinkError("ECONFIG", `The npm registry "${value}" (from ${from}) is not a URL`, {
      hint: "Set it to an http(s) URL such as https://registry.npmjs.org/",
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new SqlinkError(
      "ECONFIG",
      `The npm registry "${value}" (from ${from}) is not an http(s) URL`,
      { hint: "Set it to an http(s) URL such as https://registry.npmjs.org/" },
    );
  }
  return url.href.endsWith("/") ? url.href : url.href + "/";
}
