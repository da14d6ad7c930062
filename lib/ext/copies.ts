/**
 * `cas verify` for the materialized copies under `<root>/ext/<blake3>/` (SPEC §3.5): every
 * copy is hashed and compared with the key its directory is named for. A copy that differs,
 * or that is not a regular file, is bad; repair removes it (the next load writes it again
 * from the cache). A good copy is stamped anew, so the next launch need not hash it.
 */
import { join } from "node:path";
import { blake3Hex } from "../cas/blake3.ts";
import { removeQuietly } from "../fs.ts";
import { stampPath, startStamp, writeStamp } from "./stamp.ts";

/** One bad file found under `ext/` or `builds/`. */
export interface BadCopy {
  path: string;
  reason: string;
}

/** What checking the copies found (and, with repair, removed). */
export interface CopiesReport {
  checked: number;
  bad: BadCopy[];
}

const BLAKE3_HEX = /^[0-9a-f]{64}$/;
const STAMP = /^\..*\.verified$/;

/** The entries of `dir`, or none when it does not exist. */
export function entries(dir: string): Deno.DirEntry[] {
  try {
    return [...Deno.readDirSync(dir)].sort((a, b) => a.name < b.name ? -1 : 1);
  } catch {
    return [];
  }
}

/** Hash every materialized copy under `root`; `repair` removes the bad ones. */
export function verifyCopies(
  root: string,
  options: { repair?: boolean; progress?: (done: number, total: number) => void } = {},
): CopiesReport {
  const ext = join(root, "ext");
  const files: { path: string; blake3: string; entry: Deno.DirEntry }[] = [];
  for (const dir of entries(ext)) {
    // Temp files of a write in progress (`.NAME.PID.RAND.tmp`) and stamps are not copies.
    if (!dir.isDirectory || !BLAKE3_HEX.test(dir.name)) continue;
    for (const entry of entries(join(ext, dir.name))) {
      if (STAMP.test(entry.name) || entry.name.endsWith(".tmp")) continue;
      files.push({ path: join(ext, dir.name, entry.name), blake3: dir.name, entry });
    }
  }
  const bad: BadCopy[] = [];
  files.forEach(({ path, blake3, entry }, i) => {
    const reason = entry.isFile ? copyProblem(path, blake3) : "it is not a regular file";
    if (reason !== undefined) {
      bad.push({ path, reason });
      if (options.repair) {
        removeQuietly(stampPath(path));
        try {
          Deno.removeSync(path, { recursive: true });
        } catch {
          // Reported; a copy that cannot be removed stays bad and is never trusted.
        }
      }
    }
    options.progress?.(i + 1, files.length);
  });
  return { checked: files.length, bad };
}

function copyProblem(path: string, blake3: string): string | undefined {
  const ticket = startStamp(path);
  let found: string;
  try {
    found = blake3Hex(Deno.readFileSync(path));
  } catch (err) {
    return `it cannot be read (${(err as Error).message})`;
  }
  if (found !== blake3) return `it hashes to ${found.slice(0, 12)}…, not to its key`;
  if (ticket) writeStamp(path, blake3, ticket);
  return undefined;
}
