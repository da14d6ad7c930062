/**
 * lib/ext/name.ts: the extension name of a library file (SPEC §5) and the entry point
 * SQLite derives from its file name, checked against SQLite itself with our own extension
 * copied under other names.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import {
  checkExtensionName,
  derivedEntryPoint,
  extensionName,
  extensionNameProblem,
  librarySuffix,
} from "../../lib/ext/name.ts";
import type { SqlinkError } from "../../lib/errors.ts";
import { C_EXTENSION, ensureCExtension } from "../../scripts/c_extension.ts";
import { tempDir } from "../helpers/cli.ts";

Deno.test("extensionName: base name without the platform suffix", () => {
  assert.equal(extensionName("vec0.so"), "vec0");
  assert.equal(extensionName("/abs/dir/vec0.so"), "vec0");
  assert.equal(extensionName("rel/dir/vec0.so"), "vec0");
  assert.equal(extensionName("vec0.dylib"), "vec0");
  assert.equal(extensionName("vec0.dll"), "vec0");
  assert.equal(extensionName("vec0.bundle"), "vec0");
  assert.equal(extensionName("VEC0.SO"), "VEC0", "the suffix is matched in any case");
  assert.equal(extensionName("vec0.Dylib"), "vec0");
});

Deno.test("extensionName: version tails of .so are part of the suffix", () => {
  assert.equal(extensionName("libfoo.so.1"), "foo");
  assert.equal(extensionName("libfoo.so.1.2.3"), "foo");
  assert.equal(extensionName("/usr/lib/x86_64-linux-gnu/libspatialite.so.8"), "spatialite");
});

Deno.test("extensionName: a lib prefix is dropped, in any case, but never the whole name", () => {
  assert.equal(extensionName("libsqlite3_mod_zipfile.so"), "sqlite3_mod_zipfile");
  assert.equal(extensionName("/x/libvec0.so"), "vec0");
  assert.equal(extensionName("LIBvec0.so"), "vec0");
  assert.equal(extensionName("Libvec0.dylib"), "vec0");
  assert.equal(extensionName("lib.so"), "lib", "nothing would be left");
  assert.equal(extensionName("libx.so"), "x");
  assert.equal(extensionName("library.so"), "rary", "SQLite's rule: any lib prefix");
  assert.equal(extensionName("mylib.so"), "mylib", "only a prefix");
});

Deno.test("extensionName: only the platform suffix goes; other dots and names stay", () => {
  assert.equal(extensionName("foo.bar.so"), "foo.bar");
  assert.equal(extensionName("vec0"), "vec0", "no suffix at all");
  assert.equal(extensionName("vec0.txt"), "vec0.txt", "not a library suffix");
  assert.equal(extensionName("vec0.so.bak"), "vec0.so.bak");
  assert.equal(extensionName("sqlite-vec.so"), "sqlite-vec");
  assert.equal(extensionName("café ✓.so"), "café ✓");
});

Deno.test("derivedEntryPoint: sqlite3_ + the letters of the name, lowercased, + _init", () => {
  assert.equal(derivedEntryPoint("vec0.so"), "sqlite3_vec_init", "digits are skipped");
  assert.equal(derivedEntryPoint("/a/b/sqlinkhello.so"), "sqlite3_sqlinkhello_init");
  assert.equal(derivedEntryPoint("lines0.so"), "sqlite3_lines_init");
  assert.equal(derivedEntryPoint("REGEX0.so"), "sqlite3_regex_init");
  assert.equal(derivedEntryPoint("libsqlite3_mod_zipfile.so"), "sqlite3_sqlitemodzipfile_init");
  assert.equal(derivedEntryPoint("LibFoo.dylib"), "sqlite3_foo_init");
  assert.equal(derivedEntryPoint("libfoo.so.1.2"), "sqlite3_foo_init");
  assert.equal(derivedEntryPoint("foo.bar.so"), "sqlite3_foo_init", "up to the first dot");
  assert.equal(derivedEntryPoint("sqlite-vec.so"), "sqlite3_sqlitevec_init");
  assert.equal(derivedEntryPoint("café.so"), "sqlite3_caf_init", "ASCII letters only");
  assert.equal(derivedEntryPoint("lib.so"), "sqlite3__init", "as SQLite computes it");
  assert.equal(derivedEntryPoint("vec0"), "sqlite3_vec_init");
});

Deno.test("librarySuffix: per operating system", () => {
  assert.equal(librarySuffix("linux"), ".so");
  assert.equal(librarySuffix("darwin"), ".dylib");
  assert.equal(librarySuffix("windows"), ".dll");
  assert.equal(librarySuffix("freebsd"), ".so");
  assert.equal(extensionName(`x/vec0${librarySuffix()}`), "vec0");
});

Deno.test("derivedEntryPoint agrees with SQLite: copies of sqlinkhello load under these names", async () => {
  const original = await ensureCExtension();
  using dir = tempDir();
  const suffix = librarySuffix();
  // Every name whose derived entry point is sqlite3_sqlinkhello_init.
  const names = [
    `sqlinkhello${suffix}`,
    `libsqlinkhello${suffix}`,
    `LIBSqlInkHello${suffix}`,
    `sqlink_hello2${suffix}`,
    `sqlinkhello.v2${suffix}`,
  ];
  for (const name of names) {
    assert.equal(derivedEntryPoint(name), C_EXTENSION.defaultEntryPoint, name);
    const copy = join(dir.path, name);
    Deno.copyFileSync(original, copy);
    const db = new DatabaseSync(":memory:", { allowExtension: true });
    try {
      db.loadExtension(copy);
      assert.equal(db.prepare("SELECT hello('x') AS v").get()!.v, "hello, x", name);
    } finally {
      db.close();
    }
  }
  // And a name deriving another entry point is refused by SQLite, naming that symbol.
  const other = join(dir.path, `hello${suffix}`);
  Deno.copyFileSync(original, other);
  const db = new DatabaseSync(":memory:", { allowExtension: true });
  try {
    assert.throws(() => db.loadExtension(other), new RegExp(derivedEntryPoint(other)));
  } finally {
    db.close();
  }
});

Deno.test("extension names: plain file-name stems pass; paths, drives, controls and dots do not", () => {
  for (const ok of ["vec0", "sqlite3_mod_zipfile", "lines0", "a-b_c.1", "Zürich", "x y"]) {
    assert.equal(extensionNameProblem(ok), undefined, ok);
    assert.equal(checkExtensionName(ok, "Cannot load"), ok);
  }
  const bad: [string, RegExp][] = [
    ["", /empty/],
    ["../../../tmp/x/victim", /path separator "\/"/],
    ["..\\..\\victim", /path separator "\\"/],
    ["..", /".."/],
    ["a..b", /".."/],
    ["C:victim", /":"/],
    ["nul\0byte", /control character 0x00/],
    ["line\nbreak", /control character 0x0a/],
    ["esc\x1b[31m", /control character 0x1b/],
    [".hidden", /starts with a dot/],
    ["trailing.", /ends with a space or a dot/],
    ["trailing ", /ends with a space or a dot/],
    ["x".repeat(201), /longer than 200 bytes/],
    ["a|b", /"\|"/],
  ];
  for (const [name, why] of bad) {
    assert.match(extensionNameProblem(name) ?? "accepted", why, JSON.stringify(name));
    assert.throws(
      () => checkExtensionName(name, 'Cannot import "a.sqlink"'),
      (err: SqlinkError) =>
        err.code === "EBADNAME" && err.message.startsWith('Cannot import "a.sqlink": "') &&
        !["\0", "\n", "\x1b"].some((c) => err.message.includes(c)) && err.hint !== undefined,
    );
  }
});
