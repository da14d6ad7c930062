/**
 * Where sqlink keeps its files (SPEC §2). Every location can be overridden through the
 * environment, so tests and CI jobs can point sqlink at their own directories.
 */
import { join, resolve } from "./path.ts";
import { SqlinkError } from "./errors.ts";
import { checkPrivateDir } from "./fs.ts";

function env(name: string): string | undefined {
  const value = Deno.env.get(name);
  return value === undefined || value === "" ? undefined : value;
}

function home(): string {
  const dir = Deno.build.os === "windows" ? env("USERPROFILE") : env("HOME");
  if (!dir) {
    throw new SqlinkError("ENOHOME", "Cannot find the home directory: HOME is not set", {
      hint: "Set HOME, or set SQLINK_CACHE_DIR to choose the cache directory",
    });
  }
  return dir;
}

/**
 * The directory of everything built from one set: `<root>/builds/<set_hash>/`. Here rather
 * than in lib/bake/binary.ts so the bundle registry can name it without loading the build
 * machinery on a launch.
 */
export function setBuildDir(root: string, setHash: string): string {
  return join(root, "builds", setHash);
}

/** The cache root: `SQLINK_CACHE_DIR`, else `$XDG_CACHE_HOME/sqlink`, else `~/.cache/sqlink`. */
export function cacheRoot(): string {
  const explicit = env("SQLINK_CACHE_DIR");
  if (explicit) return resolve(explicit);
  if (Deno.build.os === "windows") {
    const local = env("LOCALAPPDATA");
    if (local) return join(local, "sqlink");
  }
  const xdg = env("XDG_CACHE_HOME");
  if (xdg) return join(resolve(xdg), "sqlink");
  return join(home(), ".cache", "sqlink");
}

/**
 * Refuse the cache root, and the `ext/` and `builds/` folders in it, when others can write
 * to them (see checkPrivateDir): what sqlink loads and runs comes from there, whichever
 * cas-cache file is in use. Folders that do not exist yet are created private when needed.
 */
export function checkCacheRoot(root: string = cacheRoot()): void {
  for (const dir of [root, join(root, "ext"), join(root, "builds")]) checkPrivateDir(dir);
}

/** The cas-cache database: `--cas PATH`, else `SQLINK_CAS`, else `<root>/cas.sqlite`. */
export function casPath(flag?: string): string {
  if (flag) return resolve(flag);
  const fromEnv = env("SQLINK_CAS");
  if (fromEnv) return resolve(fromEnv);
  return join(cacheRoot(), "cas.sqlite");
}

/** The shell history file: `SQLINK_HISTORY`, else `~/.sqlink_history`. */
export function historyPath(): string {
  return env("SQLINK_HISTORY") ?? join(home(), ".sqlink_history");
}
