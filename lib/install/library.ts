/**
 * Which file of a downloaded package is the extension: the one shared library for the
 * platform (`vec0.so` at the package root, `lib/lines0.so`…), checked to be a library that
 * platform's loader takes before it goes anywhere near the cache.
 */
import { SqlinkError } from "../errors.ts";
import { checkLoadable } from "../ext/header.ts";
import type { Platform } from "./platform.ts";
import type { TarEntry } from "./tar.ts";

/** The library taken out of a package: its path inside the package, and its bytes. */
export interface PackageLibrary {
  file: string;
  bytes: Uint8Array;
}

/** Take `platform`'s library out of a package's entries (npm puts them under `package/`). */
export function pickLibrary(entries: TarEntry[], platform: Platform, what: string): PackageLibrary {
  const libraries = entries.filter((e) =>
    e.kind === "file" && e.path.toLowerCase().endsWith(platform.suffix)
  );
  if (libraries.length === 0) {
    throw new SqlinkError(
      "ENOLIBRARY",
      `${what} holds no loadable library (no *${platform.suffix} file among its ${entries.length} entries)`,
      { hint: "This package is not a SQLite extension for " + platform.npm },
    );
  }
  if (libraries.length > 1) {
    throw new SqlinkError(
      "ENOLIBRARY",
      `${what} holds ${libraries.length} libraries (${
        libraries.map((l) => l.path).join(", ")
      }); sqlink takes a package with one`,
      { hint: "Install the library you want from an https:// URL with #sha256=" },
    );
  }
  const [library] = libraries;
  // npm packs everything under one top folder (`package/`): the path is the rest.
  const file = library.path.replace(/^[^/]+\//, "");
  if (file.split("/").some((part) => part === ".." || part === "")) {
    throw new SqlinkError(
      "ENOLIBRARY",
      `${what} names its library with the unsafe path "${library.path}"`,
      {
        hint: "The package is malformed; nothing was installed",
      },
    );
  }
  checkLoadable(`${what}/${file}`, library.bytes, { os: platform.os, arch: platform.arch });
  return { file, bytes: library.bytes };
}
