/** File helpers shared by every part of sqlink: private directories, temporary siblings, full reads. */
import { basename, dirname, join } from "./path.ts";
import { fsError, SqlinkError } from "./errors.ts";

/**
 * Create `dir` and its missing parents with mode 0700 (SPEC §2); an existing `dir` must be
 * private already (see checkPrivateDir).
 */
export function ensurePrivateDir(dir: string): void {
  if (checkPrivateDir(dir)) return;
  try {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw fsError(err, "create the directory", dir);
  }
}

/**
 * Refuse the folder `dir` when users other than its owner may write to it, as ssh refuses
 * such a ~/.ssh: they could swap the files sqlink keeps there (the cas-cache, extensions it
 * loads, programs it runs) between the moment sqlink checks them and the moment it uses
 * them. Returns true for a private folder, false when there is no folder at `dir`.
 *
 * A sticky folder such as /tmp is refused too, even when sqlink was pointed there on
 * purpose (`--cas /tmp/x.sqlite`): the sticky bit stops others deleting or renaming our
 * files, not creating new ones, and SQLite opens the cache's `-journal`, `-wal` and `-shm`
 * by name beside it, so anyone could plant a hot journal that the next open replays into
 * the cache. A folder of its own (`mktemp -d`, Deno.makeTempDir: mode 0700) is the way.
 * Windows has no such mode bits: nothing is checked there.
 */
export function checkPrivateDir(dir: string): boolean {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(dir);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw fsError(err, "use the folder", dir);
  }
  if (!info.isDirectory) return false; // creating it fails and says why
  if (Deno.build.os === "windows" || info.mode === null) return true;
  const writable = info.mode & 0o022;
  if (writable === 0) return true;
  const who = writable === 0o022
    ? "its group and all users"
    : writable & 0o020
    ? "its group"
    : "all users";
  const mode = (info.mode & 0o7777).toString(8).padStart(4, "0");
  throw new SqlinkError(
    "EUNSAFEDIR",
    `Refusing to use the folder "${dir}": ${who} can write to it (mode ${mode}), so others could replace the files sqlink keeps there`,
    {
      hint: `Make it yours alone with \`chmod 700 ${
        shellQuote(dir)
      }\` (ssh insists on the same for ~/.ssh), or point SQLINK_CACHE_DIR or --cas at a private folder`,
      details: { path: dir, mode },
    },
  );
}

/** `text` as one word for a POSIX shell, quoted only when it has to be. */
function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * A unique sibling name for `path`, for writing before an atomic rename:
 * `.NAME.PID.RAND.tmp`, so a later sweep can tell whose it is (see sweepTempSiblings).
 */
export function tempSibling(path: string): string {
  const rand = crypto.getRandomValues(new Uint32Array(2));
  return join(dirname(path), `.${basename(path)}.${Deno.pid}.${rand[0]}${rand[1]}.tmp`);
}

/**
 * A temporary sibling name for `path` (tempSibling), after removing the ones of `path` that
 * writers which are gone left behind (sweepTempSiblings): a write killed half-way (kill -9,
 * a crash, a power cut) never runs its clean-up, so the next write of the same file does it.
 *
 * @example
 * ```ts
 * const temp = newTempSibling("/data/vec0.so");
 * Deno.writeFileSync(temp, bytes, { createNew: true });
 * Deno.renameSync(temp, "/data/vec0.so");
 * ```
 */
export function newTempSibling(path: string): string {
  sweepTempSiblings(path);
  return tempSibling(path);
}

/**
 * How long a temporary file may go untouched before it is stale whoever wrote it. No write
 * of sqlink leaves its temporary file alone for more than minutes (a `deno compile`), so
 * six hours only ever catches files whose writer cannot be told dead: a PID reused by
 * another process where start times are unknown (macOS, Windows), or no way to ask.
 */
export const STALE_TEMP_MS = 6 * 60 * 60 * 1000;

/**
 * Remove the temporary siblings of `path` (tempSibling names, with the `-wal`, `-shm` and
 * `-journal` SQLite keeps beside a temporary database) whose writer is gone (see
 * sweepStaleTemps). Only files: a folder of that name is nobody's temporary file. Never
 * throws; returns the paths removed.
 */
export function sweepTempSiblings(path: string, now: number = Date.now()): string[] {
  const prefix = `.${basename(path)}.`;
  return sweepStaleTemps(dirname(path), (name) => {
    if (!name.startsWith(prefix)) return undefined;
    const match = /^(\d+)\.\d+\.tmp(?:-wal|-shm|-journal)?$/.exec(name.slice(prefix.length));
    if (!match) return undefined;
    return { pid: Number(match[1]), key: name.replace(/-(?:wal|shm|journal)$/, "") };
  }, { now });
}

/** What a sweep needs to know of a temporary file's name: who wrote it, what it belongs to. */
export interface TempName {
  /** The process that wrote it (its name says). */
  pid: number;
  /** Entries with the same key are one temporary file (a database and its `-wal`): they go together. */
  key: string;
}

/**
 * Remove the entries of `dir` that `parse` names as temporary (see TempName) and whose
 * writer is gone: no process has its PID any more, or the process that has it started
 * after the entry was last written (the PID was reused; where start times can be read), or
 * nothing has touched it for STALE_TEMP_MS. The entries of one key are judged by the newest
 * of them. This process's own entries stay, unless they predate it. With `folders`, folders
 * named as temporary go too (a build's staging folder), else only files and links. Never
 * throws; returns the paths removed.
 */
export function sweepStaleTemps(
  dir: string,
  parse: (name: string) => TempName | undefined,
  options: { folders?: boolean; now?: number } = {},
): string[] {
  const now = options.now ?? Date.now();
  const groups = new Map<string, { pid: number; touched: number; paths: string[] }>();
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return []; // no folder, or one we cannot read: nothing we could remove either
  }
  for (const entry of entries) {
    const temp = parse(entry.name);
    if (!temp) continue;
    const path = join(dir, entry.name);
    let info: Deno.FileInfo;
    try {
      info = Deno.lstatSync(path);
    } catch {
      continue; // its writer just renamed or removed it
    }
    if (info.isDirectory && !options.folders) continue;
    const group = groups.get(temp.key) ?? { pid: temp.pid, touched: 0, paths: [] };
    group.touched = Math.max(group.touched, info.mtime?.getTime() ?? now);
    group.paths.push(path);
    groups.set(temp.key, group);
  }
  const removed: string[] = [];
  for (const { pid, touched, paths } of groups.values()) {
    if (now - touched < STALE_TEMP_MS && mayBeWriter(pid, touched)) continue;
    for (const path of paths) {
      try {
        Deno.removeSync(path, { recursive: true });
        removed.push(path);
      } catch {
        // Gone already (another sweep), or not ours to remove.
      }
    }
  }
  return removed;
}

/**
 * Clock slack when comparing a process's start with a file's modification time. Start
 * times are derived from the boot time, which moves when the clock is stepped (NTP's first
 * sync, a resumed VM), so a small skew must not make a live writer look like a stranger.
 */
const CLOCK_SLACK_MS = 10 * 60 * 1000;

/** Whether the process `pid` may be the one that last wrote, at `touched`, a temporary file. */
function mayBeWriter(pid: number, touched: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid > 0x7fffffff) return false;
  if (pid === Deno.pid) return touched + CLOCK_SLACK_MS >= performance.timeOrigin;
  const alive = processExists(pid);
  if (alive === false) return false;
  const started = linuxProcessStart(pid);
  if (started === null) return false; // a zombie: killed, and it writes nothing more
  return started === undefined || started <= touched + CLOCK_SLACK_MS;
}

/** True when a process has PID `pid`, false when none has, undefined when we cannot tell. */
function processExists(pid: number): boolean | undefined {
  try {
    // Deno's global `process`, not an import of node:process: that loads Node's layer
    // (~10 ms), and lib/fs.ts is on the way to every launch with a bundle.
    const node = globalThis as unknown as { process: { kill(pid: number, signal: number): void } };
    node.process.kill(pid, 0); // signal 0: only asks whether it could be signalled
    return true;
  } catch (err) {
    const code = (err as { code?: string })?.code;
    if (code === "ESRCH") return false;
    if (code === "EPERM") return true; // someone else's process
  }
  // Without Deno's run permission, kill cannot ask: /proc can, where there is one.
  if (Deno.build.os !== "linux") return undefined;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch (err) {
    return err instanceof Deno.errors.NotFound ? false : undefined;
  }
}

let bootTime: number | undefined;

/**
 * When process `pid` started (ms since the epoch), from /proc on Linux; null for a zombie,
 * undefined when that cannot be read (another system, or /proc hides the process).
 */
function linuxProcessStart(pid: number): number | null | undefined {
  if (Deno.build.os !== "linux") return undefined;
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    bootTime ??= Number(/^btime (\d+)$/m.exec(Deno.readTextFileSync("/proc/stat"))?.[1]) * 1000;
  } catch {
    return undefined;
  }
  // The command name in parentheses may hold spaces and parentheses: fields follow the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return null;
  // Field 22, the start in clock ticks after boot: USER_HZ, which Linux fixes at 100 for
  // what it reports to user space.
  const ticks = Number(fields[19]);
  if (!Number.isFinite(ticks) || !Number.isFinite(bootTime)) return undefined;
  return bootTime + ticks * 10;
}

/** Remove `path` if it exists; never throws. */
export function removeQuietly(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // Nothing there, or nothing we can do about it: the caller is already failing.
  }
}

/** Read into `buf` until it is full or the file ends; returns the byte count. */
export function readFull(file: Deno.FsFile, buf: Uint8Array): number {
  let filled = 0;
  while (filled < buf.length) {
    const n = file.readSync(buf.subarray(filled));
    if (n === null || n === 0) break;
    filled += n;
  }
  return filled;
}

/** True when something (file, directory, link) exists at `path`. */
export function pathExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
