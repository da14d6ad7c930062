/**
 * The pinned-URL source: `https://…/vec0.so#sha256=<hex>` (a GitHub release asset, say).
 * The SHA-256 is required: an unpinned download is refused before anything is fetched,
 * and the bytes must match it before they are read. A `.tar.gz`/`.tgz` is unpacked and its
 * one library taken; anything else is the library itself. Plain `http://` is accepted only
 * on a loopback host (a local mirror), where the pin alone vouches for the bytes.
 */
import { SqlinkError, UsageError } from "../errors.ts";
import { sha256Hex } from "../cas/sha256.ts";
import { checkLoadable } from "../ext/header.ts";
import { download } from "./download.ts";
import { pickLibrary } from "./library.ts";
import type { Platform } from "./platform.ts";
import { gunzip, readTar } from "./tar.ts";

/** A URL and the SHA-256 its bytes must have. */
export interface PinnedUrl {
  /** The URL without its `#sha256=` fragment. */
  url: string;
  sha256: string;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Parse `https://…#sha256=<64 hex>`; no pin, a bad pin or another scheme is a usage error. */
export function parsePinnedUrl(text: string): PinnedUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`"${text}" is not a URL`, { hint: "Give https://HOST/PATH#sha256=<hex>" });
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) {
    throw new UsageError(`Cannot install from "${text}": only https:// URLs are fetched`, {
      hint: "Give https://HOST/PATH#sha256=<hex> (plain http only on a loopback host)",
    });
  }
  const pin = /^#sha256=([0-9a-fA-F]*)$/.exec(url.hash);
  if (!pin) {
    throw new UsageError(
      `Cannot install from "${text}": the URL is not pinned with #sha256=<hex>`,
      {
        hint:
          "An unpinned download is refused: append #sha256= and the file's SHA-256 (sha256sum FILE)",
      },
    );
  }
  if (!/^[0-9a-f]{64}$/i.test(pin[1])) {
    throw new UsageError(
      `Cannot install from "${text}": "${pin[1]}" is not a SHA-256 (64 hex digits)`,
      {
        hint: "Append #sha256= and the file's SHA-256 (sha256sum FILE)",
      },
    );
  }
  url.hash = "";
  return { url: url.href, sha256: pin[1].toLowerCase() };
}

/** The library at a pinned URL for `platform`: its file name and bytes, checked. */
export async function fetchPinned(
  pinned: PinnedUrl,
  platform: Platform,
): Promise<{ file: string; bytes: Uint8Array }> {
  const bytes = await download(pinned.url, pinned.url);
  if (!bytes) {
    throw new SqlinkError("ENOTFOUND", `Cannot download ${pinned.url}: HTTP 404`, {
      hint: "Check the URL",
    });
  }
  const found = sha256Hex(bytes);
  if (found !== pinned.sha256) {
    throw new SqlinkError(
      "EINTEGRITY",
      `${pinned.url} does not match its pin: expected sha256 ${pinned.sha256}, found ${found}`,
      {
        hint: "The file changed or was damaged on the way; nothing was installed. Check the pin",
        details: { expected: pinned.sha256, found },
      },
    );
  }
  const name = decodeURIComponent(new URL(pinned.url).pathname.split("/").pop() ?? "");
  if (/\.(tgz|tar\.gz)$/i.test(name)) {
    const entries = readTar(await gunzip(bytes, name), name);
    const library = pickLibrary(entries, platform, name);
    return { file: library.file.split("/").pop()!, bytes: library.bytes };
  }
  checkLoadable(name, bytes, { os: platform.os, arch: platform.arch });
  return { file: name, bytes };
}
