/**
 * A small reader of gzipped tar archives (npm's `.tgz`), enough to take one file out of a
 * package: ustar headers, GNU long names (`L`) and pax `path` records (`x`). Regular files
 * come back with their bytes; everything else (directories, links) by name only, so nothing
 * from an archive is ever written to disk by path.
 */
import { SqlinkError } from "../errors.ts";

/** One archive member. */
export interface TarEntry {
  /** Its path inside the archive, as recorded (`package/lib/lines0.so`). */
  path: string;
  /** `file`, `directory`, or `other` (links, devices…). */
  kind: "file" | "directory" | "other";
  /** The bytes of a regular file; empty otherwise. */
  bytes: Uint8Array;
}

/** The most an archive may unpack to: a package bigger than this is refused, not read. */
export const MAX_UNPACKED_BYTES = 512 << 20;

const BLOCK = 512;

/** Gunzip `gz` in memory, refusing more than `limit` bytes of output. */
export async function gunzip(
  gz: Uint8Array,
  what: string,
  limit = MAX_UNPACKED_BYTES,
): Promise<Uint8Array> {
  const stream = new Blob([gz as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("gzip"));
  const pieces: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const piece of stream) {
      size += piece.length;
      if (size > limit) {
        throw new SqlinkError("ETOOBIG", `${what} unpacks to more than ${limit} bytes`, {
          hint: "An extension package this large is not one sqlink installs",
        });
      }
      pieces.push(piece);
    }
  } catch (err) {
    if (err instanceof SqlinkError) throw err;
    throw badArchive(what, `it is not a valid gzip stream (${(err as Error).message})`);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

function badArchive(what: string, why: string): SqlinkError {
  return new SqlinkError("EBADTAR", `Cannot read ${what}: ${why}`, {
    hint: "The download is damaged or is not an npm package tarball",
  });
}

function text(block: Uint8Array, from: number, length: number): string {
  const field = block.subarray(from, from + length);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}

function octal(block: Uint8Array, from: number, length: number, what: string): number {
  const field = text(block, from, length).trim();
  if (field === "") return 0;
  if (!/^[0-7]+$/.test(field)) throw badArchive(what, `a header has the size field "${field}"`);
  return parseInt(field, 8);
}

function checksumOk(block: Uint8Array): boolean {
  const recorded = text(block, 148, 8).trim();
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i];
  return recorded !== "" && parseInt(recorded, 8) === sum;
}

/** The `path` record of a pax header, if it has one. */
function paxPath(data: Uint8Array): string | undefined {
  const records = new TextDecoder().decode(data);
  for (const record of records.split("\n")) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match) return match[1];
  }
  return undefined;
}

/** Every member of the tar archive `tar` (already gunzipped); `what` names it in errors. */
export function readTar(tar: Uint8Array, what: string): TarEntry[] {
  const entries: TarEntry[] = [];
  let at = 0;
  let longName: string | undefined;
  while (at + BLOCK <= tar.length) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    if (!checksumOk(header)) throw badArchive(what, `the header at byte ${at} is damaged`);
    const size = octal(header, 124, 12, what);
    const type = String.fromCharCode(header[156] || 48);
    const dataStart = at + BLOCK;
    if (dataStart + size > tar.length) {
      throw badArchive(what, `it ends inside a member (${size} bytes at byte ${dataStart})`);
    }
    const data = tar.subarray(dataStart, dataStart + size);
    at = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "L") {
      longName = text(data, 0, data.length);
      continue;
    }
    if (type === "x") {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (type === "g") continue;
    const prefix = text(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = undefined;
    const kind = type === "0" || type === "7" ? "file" : type === "5" ? "directory" : "other";
    entries.push({ path: name, kind, bytes: kind === "file" ? data.slice() : new Uint8Array() });
  }
  if (entries.length === 0) throw badArchive(what, "it holds no files");
  return entries;
}
