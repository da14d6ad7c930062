/**
 * lib/ext/header.ts: real extension builds from npm for five platforms, binaries gcc makes
 * here, and headers built byte by byte are each accepted on the machine they are for and
 * rejected elsewhere with one message that says what the file is and what is needed.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import {
  type Build,
  checkLoadable,
  describeLibrary,
  HEADER_BYTES,
  hostLibrary,
  type LibraryFormat,
} from "../../lib/ext/header.ts";
import { SqlinkError } from "../../lib/errors.ts";
import { ensureFixtures, type Platform } from "../../scripts/fixtures.ts";
import { ensureCExtension } from "../../scripts/c_extension.ts";
import { tempDir } from "../helpers/cli.ts";

const LINUX_X64: Build = { os: "linux", arch: "x86_64" };
const LINUX_ARM64: Build = { os: "linux", arch: "aarch64" };
const DARWIN_ARM64: Build = { os: "darwin", arch: "aarch64" };
const DARWIN_X64: Build = { os: "darwin", arch: "x86_64" };
const WINDOWS_X64: Build = { os: "windows", arch: "x86_64" };
const HOSTS: Record<Platform, Build> = {
  "linux-x64": LINUX_X64,
  "linux-arm64": LINUX_ARM64,
  "darwin-arm64": DARWIN_ARM64,
  "darwin-x64": DARWIN_X64,
  "windows-x64": WINDOWS_X64,
  "windows-arm64": { os: "windows", arch: "aarch64" },
};

function head(path: string): Uint8Array {
  return Deno.readFileSync(path).subarray(0, HEADER_BYTES);
}

/** checkLoadable takes the whole file: the tables the headers name must lie inside it. */
function whole(path: string): Uint8Array {
  return Deno.readFileSync(path);
}

/** checkLoadable must throw a SqlinkError with `code`; returns it. */
function rejects(path: string, bytes: Uint8Array, build: Build, code: string): SqlinkError {
  try {
    checkLoadable(path, bytes, build);
  } catch (err) {
    assert.ok(err instanceof SqlinkError, `expected a SqlinkError, got ${err}`);
    assert.equal(err.code, code, err.message);
    // House style: a capital first, no trailing period, a hint saying what to do.
    assert.match(err.message, /^Cannot load "/);
    assert.doesNotMatch(err.message, /\.$/);
    assert.ok(err.hint && /^[A-Z]/.test(err.hint) && !err.hint.endsWith("."), err.hint);
    return err;
  }
  assert.fail(`expected ${code} for ${path} on ${build.os}-${build.arch}, but it was accepted`);
}

function library(bytes: Uint8Array): LibraryFormat {
  const found = describeLibrary(bytes);
  assert.notEqual(found.format, "other", found.description);
  return found as LibraryFormat;
}

// --- Byte-by-byte headers -------------------------------------------------------------

function bytes(size: number, fill: (view: DataView, raw: Uint8Array) => void): Uint8Array {
  const raw = new Uint8Array(size);
  fill(new DataView(raw.buffer), raw);
  return raw;
}

function ascii(raw: Uint8Array, at: number, text: string): void {
  raw.set([...text].map((c) => c.charCodeAt(0)), at);
}

/** An ELF header: class 1/2 (32/64-bit), data 1/2 (little/big), e_type, e_machine. */
function elf(
  { bits = 64, big = false, type = 3, machine = 62 }: {
    bits?: 32 | 64;
    big?: boolean;
    type?: number;
    machine?: number;
  } = {},
): Uint8Array {
  return bytes(bits === 64 ? 64 : 52, (view, raw) => {
    raw.set([0x7f, 0x45, 0x4c, 0x46, bits === 64 ? 2 : 1, big ? 2 : 1, 1]);
    view.setUint16(16, type, !big);
    view.setUint16(18, machine, !big);
    view.setUint32(20, 1, !big); // e_version
  });
}

const CPU_X86_64 = 0x0100_0007;
const CPU_ARM64 = 0x0100_000c;
const CPU_I386 = 7;
const CPU_PPC = 18;

/** A thin Mach-O header: 32/64-bit magic in either byte order, cputype, filetype. */
function macho(
  { bits = 64, big = false, cpu = CPU_ARM64, filetype = 6 }: {
    bits?: 32 | 64;
    big?: boolean;
    cpu?: number;
    filetype?: number;
  } = {},
): Uint8Array {
  return bytes(bits === 64 ? 32 : 28, (view) => {
    view.setUint32(0, bits === 64 ? 0xfeedfacf : 0xfeedface, !big);
    view.setUint32(4, cpu, !big);
    view.setUint32(12, filetype, !big);
  });
}

/** A Mach-O universal binary's header (always big-endian) listing `cpus`. */
function fat(cpus: number[], { wide = false } = {}): Uint8Array {
  const entry = wide ? 32 : 20;
  return bytes(8 + cpus.length * entry, (view) => {
    view.setUint32(0, wide ? 0xcafebabf : 0xcafebabe);
    view.setUint32(4, cpus.length);
    cpus.forEach((cpu, i) => view.setUint32(8 + i * entry, cpu));
  });
}

/** A PE file: MZ stub, `PE\0\0` at 0x80, machine, characteristics, optional header magic. */
function pe(
  { machine = 0x8664, characteristics = 0x2022, magic = 0x20b }: {
    machine?: number;
    characteristics?: number;
    magic?: number;
  } = {},
): Uint8Array {
  return bytes(0x80 + 24 + 2, (view, raw) => {
    ascii(raw, 0, "MZ");
    view.setUint32(0x3c, 0x80, true);
    ascii(raw, 0x80, "PE\0\0");
    view.setUint16(0x80 + 4, machine, true);
    view.setUint16(0x80 + 22, characteristics, true);
    view.setUint16(0x80 + 24, magic, true);
  });
}

function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

// --- Real binaries from npm --------------------------------------------------------------

/** sqlite-vec 0.1.9 as published for each platform: ELF, Mach-O and PE, two CPUs. */
async function vecBuilds(): Promise<Record<string, string>> {
  const platforms: Platform[] = [
    "linux-x64",
    "linux-arm64",
    "darwin-x64",
    "darwin-arm64",
    "windows-x64",
  ];
  const found = await Promise.all(
    platforms.map((platform) => ensureFixtures({ platform, only: ["vec0@0.1.9"] })),
  );
  return Object.fromEntries(platforms.map((p, i) => [p, found[i]["vec0@0.1.9"]]));
}

Deno.test("header: every fixture for this host is accepted", async () => {
  const fixtures = await ensureFixtures();
  assert.ok(Object.keys(fixtures).length >= 3, JSON.stringify(fixtures));
  for (const path of Object.values(fixtures)) {
    checkLoadable(path, whole(path));
    assert.equal(library(head(path)).description, hostLibrary().description, path);
  }
});

Deno.test("header: sqlite-vec for five platforms loads on its own platform only", async () => {
  const builds = await vecBuilds();
  for (const [platform, path] of Object.entries(builds)) {
    const bytes = whole(path);
    for (const [hostPlatform, build] of Object.entries(HOSTS)) {
      if (hostPlatform === platform) {
        checkLoadable(path, bytes, build);
        continue;
      }
      const err = rejects(path, bytes, build, "EWRONGARCH");
      assert.equal(
        err.message,
        `Cannot load "${path}": it is ${describeLibrary(head(path)).description}, ` +
          `and this machine needs ${hostLibrary(build).description}`,
      );
      assert.equal(err.hint, `Get the build of this extension for ${hostPlatform} (${build.arch})`);
      assert.deepEqual(err.details, {
        path,
        found: describeLibrary(head(path)).description,
        expected: hostLibrary(build).description,
      });
    }
  }
});

Deno.test("header: the messages for foreign sqlite-vec builds on linux-x64", async () => {
  const builds = await vecBuilds();
  const expected: Record<string, string> = {
    "linux-arm64": "an ELF 64-bit shared library for AArch64",
    "darwin-arm64": "a Mach-O 64-bit shared library for AArch64",
    "darwin-x64": "a Mach-O 64-bit shared library for x86-64",
    "windows-x64": "a PE 64-bit shared library for x86-64",
  };
  for (const [platform, found] of Object.entries(expected)) {
    const path = builds[platform];
    const err = rejects(path, whole(path), LINUX_X64, "EWRONGARCH");
    assert.equal(
      err.message,
      `Cannot load "${path}": it is ${found}, ` +
        `and this machine needs an ELF 64-bit shared library for x86-64`,
    );
    assert.equal(err.hint, "Get the build of this extension for linux-x64 (x86_64)");
  }
});

Deno.test("header: a truncated ELF header is not a library; the whole header is enough", async () => {
  const path = (await ensureFixtures({ only: ["vec0@0.1.9"], platform: "linux-x64" }))[
    "vec0@0.1.9"
  ];
  const full = head(path);
  for (const n of [1, 2, 3]) {
    const err = rejects(path, full.subarray(0, n), LINUX_X64, "ENOTLIB");
    assert.match(err.message, /: it is a file of unknown format, not a shared library$/);
  }
  for (const n of [4, 5, 16, 19, 20, 52, 63]) {
    const err = rejects(path, full.subarray(0, n), LINUX_X64, "ENOTLIB");
    assert.equal(
      err.message,
      `Cannot load "${path}": it is a truncated ELF file, not a shared library`,
    );
  }
  // The whole header, but not the tables it names: still refused, before the loader maps it.
  const err = rejects(path, full.subarray(0, 64), LINUX_X64, "ENOTLIB");
  assert.match(err.message, /: it is an ELF 64-bit shared library for x86-64, but truncated: /);
});

Deno.test("header: a library cut short anywhere is refused; every real build whole passes", async () => {
  // A real library cut to 1,000 bytes passed the header check and dlopen died of SIGBUS.
  const builds = await vecBuilds();
  for (const [platform, path] of Object.entries(builds)) {
    const bytes = whole(path);
    const build = HOSTS[platform as Platform];
    checkLoadable(path, bytes, build);
    for (const n of [1000, 4096, Math.floor(bytes.length / 2), bytes.length - 1]) {
      const err = rejects(path, bytes.subarray(0, n), build, "ENOTLIB");
      assert.match(err.message, /, but truncated: .* ends at byte \d+, and the file has \d+$/);
      assert.match(err.hint!, /incomplete/);
    }
  }
});

// --- Binaries gcc makes here -------------------------------------------------------------

/** Compile `source` with gcc and `flags`, or return undefined when gcc is missing. */
async function gcc(dir: string, flags: string[], output: string): Promise<string | undefined> {
  const source = join(dir, "prog.c");
  Deno.writeTextFileSync(source, "int answer(void) { return 42; }\nint main(void) { return 0; }\n");
  const out = join(dir, output);
  try {
    const result = await new Deno.Command("gcc", { args: [...flags, "-o", out, source] }).output();
    assert.ok(result.success, new TextDecoder().decode(result.stderr));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      console.warn("skipped: gcc is not on PATH (apt-get install gcc)");
      return undefined;
    }
    throw err;
  }
  return out;
}

Deno.test("header: gcc's .o, static library and non-PIE executable are not libraries", async () => {
  using dir = tempDir();
  const object = await gcc(dir.path, ["-c"], "prog.o");
  if (!object) return;
  const err = rejects(object, head(object), LINUX_X64, "ENOTLIB");
  assert.equal(
    err.message,
    `Cannot load "${object}": it is an ELF 64-bit relocatable object (.o) for x86-64, ` +
      "not a shared library",
  );
  assert.equal(
    err.hint,
    "SQLite extensions on this machine are ELF 64-bit shared libraries for x86-64 (.so files)",
  );

  const archive = join(dir.path, "libprog.a");
  const ar = await new Deno.Command("ar", { args: ["rcs", archive, object] }).output()
    .catch(() => undefined);
  if (ar?.success) {
    const err = rejects(archive, head(archive), LINUX_X64, "ENOTLIB");
    assert.match(err.message, /: it is a static library \(ar archive\), not a shared library$/);
  } else {
    console.warn("skipped the static library: ar is not on PATH (apt-get install binutils)");
  }

  const exe = await gcc(dir.path, ["-no-pie"], "prog");
  if (!exe) return;
  const exeErr = rejects(exe, head(exe), LINUX_X64, "ENOTLIB");
  assert.match(
    exeErr.message,
    /: it is an ELF 64-bit executable for x86-64, not a shared library$/,
  );
});

Deno.test("header: gcc's shared library and our own extension are accepted", async () => {
  using dir = tempDir();
  const lib = await gcc(dir.path, ["-shared", "-fPIC"], "libprog.so");
  if (!lib) return;
  checkLoadable(lib, whole(lib), LINUX_X64);
  const ext = await ensureCExtension();
  checkLoadable(ext, whole(ext), LINUX_X64);
  assert.equal(library(head(ext)).description, "an ELF 64-bit shared library for x86-64");
});

Deno.test("header: a PIE executable (/bin/ls) passes; SQLite's loader then refuses it", () => {
  // ET_DYN is both a shared library and a PIE; the first page cannot tell them apart, and
  // refusing ET_DYN with an interpreter would refuse libc.so.6 too. So PIEs pass the
  // header check and the loader has the last word.
  const ls = "/bin/ls";
  let bytes: Uint8Array;
  try {
    bytes = whole(ls);
  } catch {
    console.warn("skipped: no /bin/ls");
    return;
  }
  const found = library(bytes.subarray(0, HEADER_BYTES));
  if (found.format !== "ELF" || Deno.build.os !== "linux") return;
  checkLoadable(ls, bytes);
  const db = new DatabaseSync(":memory:", { allowExtension: true });
  try {
    assert.throws(() => db.loadExtension(ls));
  } finally {
    db.close();
  }
});

// --- Headers built byte by byte -------------------------------------------------------------

Deno.test("header: files that are not libraries at all", () => {
  const cases: [string, Uint8Array, string][] = [
    ["empty", new Uint8Array(), "an empty file"],
    ["notes.txt", text("CREATE TABLE t(x);\nINSERT INTO t VALUES ('é');\n"), "a text file"],
    ["tab.tsv", text("a\tb\r\nc\td\r\n\x1b[1mbold\x1b[0m\f"), "a text file"],
    ["run.sh", text("#!/bin/sh\necho hi\n"), "a script"],
    ["vec0.so", text("\ufeff  <!DOCTYPE html>\n<html lang=en>"), "an HTML page"],
    ["page.so", text("<HTML><body>Not Found</body></HTML>"), "an HTML page"],
    ["db.sqlite", text("SQLite format 3\0\x10\0\x01\x01"), "a SQLite database"],
    ["ext.zip", text("PK\x03\x04\x14\0\0\0"), "a zip archive"],
    ["empty.zip", text("PK\x05\x06" + "\0".repeat(18)), "a zip archive"],
    ["libx.a", text("!<arch>\nprog.o/         "), "a static library (ar archive)"],
    ["thin.a", text("!<thin>\n"), "a static library (ar archive)"],
    ["x.tgz", new Uint8Array([0x1f, 0x8b, 8, 0]), "a gzip-compressed file"],
    ["x.zst", new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0]), "a zstd-compressed file"],
    ["x.xz", new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 0]), "an xz-compressed file"],
    ["x.bz2", text("BZh91AY&SY"), "a bzip2-compressed file"],
    ["x.wasm", text("\0asm\x01\0\0\0"), "a WebAssembly module"],
    ["x.pdf", text("%PDF-1.7\n"), "a PDF document"],
    ["x.tar", bytes(512, (_, raw) => ascii(raw, 257, "ustar\0")), "a tar archive"],
    ["Main.class", new Uint8Array([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 65]), "a Java class file"],
    ["x.bin", new Uint8Array([0, 1, 2, 3, 0xff, 0xfe]), "a file of unknown format"],
    [
      "latin1.txt",
      new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]),
      "a file of unknown format",
    ],
    ["x.exe", text("MZ\x90\0"), "a DOS executable"],
    ["elf.so", elf({ bits: 64 }).subarray(0, 10), "a truncated ELF file"],
    [
      "elf3.so",
      elf().map((b, i) => i === 4 ? 3 : b),
      "a malformed ELF file (class 3, data encoding 1)",
    ],
    ["macho.dylib", macho().subarray(0, 20), "a truncated Mach-O file"],
    [
      "fat.dylib",
      fat([CPU_X86_64, CPU_ARM64]).subarray(0, 30),
      "a truncated Mach-O universal binary",
    ],
  ];
  for (const [name, bytes, description] of cases) {
    const path = `/x/${name}`;
    assert.deepEqual(describeLibrary(bytes), { format: "other", description }, name);
    for (const build of [LINUX_X64, DARWIN_ARM64, WINDOWS_X64]) {
      const err = rejects(path, bytes, build, "ENOTLIB");
      assert.equal(
        err.message,
        `Cannot load "${path}": it is ${description}, not a shared library`,
      );
    }
  }
  // The exact hint names what each machine loads.
  assert.equal(
    rejects("/x/notes.txt", text("hi\n"), DARWIN_ARM64, "ENOTLIB").hint,
    "SQLite extensions on this machine are Mach-O 64-bit shared libraries for AArch64 (.dylib files)",
  );
  assert.equal(
    rejects("/x/notes.txt", text("hi\n"), WINDOWS_X64, "ENOTLIB").hint,
    "SQLite extensions on this machine are PE 64-bit shared libraries for x86-64 (.dll files)",
  );
});

Deno.test("header: a real SQLite database and a text cut inside a character", () => {
  using dir = tempDir();
  const path = join(dir.path, "data.db");
  const db = new DatabaseSync(path);
  db.exec("CREATE TABLE t(x); INSERT INTO t VALUES (1)");
  db.close();
  assert.equal(describeLibrary(head(path)).description, "a SQLite database");

  const long = text("é".repeat(HEADER_BYTES));
  assert.equal(describeLibrary(long.subarray(0, HEADER_BYTES - 1)).description, "a text file");
});

Deno.test("header: ELF kinds, machines, bitness and byte order", () => {
  const cases: [Uint8Array, string][] = [
    [elf(), "an ELF 64-bit shared library for x86-64"],
    [elf({ type: 1 }), "an ELF 64-bit relocatable object (.o) for x86-64"],
    [elf({ type: 2 }), "an ELF 64-bit executable for x86-64"],
    [elf({ type: 4 }), "an ELF 64-bit core dump for x86-64"],
    [elf({ type: 0xfe00 }), "an ELF 64-bit file of type 65024 for x86-64"],
    [elf({ machine: 183 }), "an ELF 64-bit shared library for AArch64"],
    [elf({ bits: 32, machine: 3 }), "an ELF 32-bit shared library for i386"],
    [elf({ bits: 32, machine: 40 }), "an ELF 32-bit shared library for ARM"],
    [elf({ bits: 32, machine: 62 }), "an ELF 32-bit shared library for x86-64"], // x32
    [elf({ machine: 243 }), "an ELF 64-bit shared library for RISC-V"],
    [elf({ machine: 21, big: true }), "an ELF 64-bit big-endian shared library for PowerPC64"],
    [elf({ machine: 21 }), "an ELF 64-bit shared library for PowerPC64"],
    [elf({ machine: 22, big: true }), "an ELF 64-bit big-endian shared library for IBM S/390"],
    [elf({ bits: 32, machine: 8, big: true }), "an ELF 32-bit big-endian shared library for MIPS"],
    [elf({ machine: 258 }), "an ELF 64-bit shared library for LoongArch"],
    [elf({ machine: 4242 }), "an ELF 64-bit shared library for machine type 4242"],
  ];
  for (const [bytes, description] of cases) {
    assert.equal(describeLibrary(bytes).description, description);
  }

  checkLoadable("/x/a.so", elf(), LINUX_X64);
  checkLoadable("/x/a.so", elf({ machine: 183 }), LINUX_ARM64);
  checkLoadable("/x/a.so", elf({ machine: 243 }), { os: "linux", arch: "riscv64" });
  checkLoadable("/x/a.so", elf(), { os: "freebsd", arch: "x86_64" });

  const wrong: [Uint8Array, Build, string][] = [
    [elf({ machine: 183 }), LINUX_X64, "an ELF 64-bit shared library for AArch64"],
    [elf(), LINUX_ARM64, "an ELF 64-bit shared library for x86-64"],
    [elf({ bits: 32, machine: 3 }), LINUX_X64, "an ELF 32-bit shared library for i386"],
    [elf({ bits: 32 }), LINUX_X64, "an ELF 32-bit shared library for x86-64"],
    [
      elf({ machine: 21, big: true }),
      LINUX_X64,
      "an ELF 64-bit big-endian shared library for PowerPC64",
    ],
  ];
  for (const [bytes, build, found] of wrong) {
    const err = rejects("/x/a.so", bytes, build, "EWRONGARCH");
    assert.equal(
      err.message,
      `Cannot load "/x/a.so": it is ${found}, and this machine needs ${
        hostLibrary(build).description
      }`,
    );
  }
  // When only the byte order differs, both sides name theirs.
  const err = rejects(
    "/x/a.so",
    elf({ machine: 22 }),
    { os: "linux", arch: "s390x" },
    "EWRONGARCH",
  );
  assert.equal(
    err.message,
    'Cannot load "/x/a.so": it is an ELF 64-bit little-endian shared library for IBM S/390, ' +
      "and this machine needs an ELF 64-bit big-endian shared library for IBM S/390",
  );
  assert.equal(err.hint, "Get the build of this extension for linux-s390x (s390x)");

  // Not a library beats wrong machine: the kind is the first thing to fix.
  const exe = rejects("/x/prog", elf({ type: 2, machine: 183 }), LINUX_X64, "ENOTLIB");
  assert.match(exe.message, /: it is an ELF 64-bit executable for AArch64, not a shared library$/);
  // ELF on macOS and Windows is the wrong format.
  for (const build of [DARWIN_X64, WINDOWS_X64]) {
    rejects("/x/a.so", elf(), build, "EWRONGARCH");
  }
});

Deno.test("header: Mach-O thin and universal binaries", () => {
  const cases: [Uint8Array, string][] = [
    [macho(), "a Mach-O 64-bit shared library for AArch64"],
    [macho({ cpu: CPU_X86_64, filetype: 8 }), "a Mach-O 64-bit loadable bundle for x86-64"],
    [macho({ filetype: 2 }), "a Mach-O 64-bit executable for AArch64"],
    [macho({ filetype: 1 }), "a Mach-O 64-bit object file for AArch64"],
    [macho({ bits: 32, cpu: CPU_I386 }), "a Mach-O 32-bit shared library for i386"],
    [
      macho({ bits: 32, cpu: CPU_PPC, big: true }),
      "a Mach-O 32-bit big-endian shared library for PowerPC",
    ],
    [fat([CPU_X86_64, CPU_ARM64]), "a Mach-O universal binary for x86-64 and AArch64"],
    [
      fat([CPU_X86_64, CPU_ARM64], { wide: true }),
      "a Mach-O universal binary for x86-64 and AArch64",
    ],
    [
      fat([CPU_I386, CPU_X86_64, CPU_PPC]),
      "a Mach-O universal binary for i386, x86-64 and PowerPC",
    ],
  ];
  for (const [bytes, description] of cases) {
    assert.equal(describeLibrary(bytes).description, description);
  }
  assert.deepEqual(
    library(fat([CPU_X86_64, CPU_ARM64])).targets.map((t) => [t.arch, t.bits]),
    [["x86_64", 64], ["aarch64", 64]],
  );

  checkLoadable("/x/a.dylib", macho(), DARWIN_ARM64);
  checkLoadable("/x/a.dylib", macho({ cpu: CPU_X86_64 }), DARWIN_X64);
  checkLoadable("/x/a.bundle", macho({ filetype: 8 }), DARWIN_ARM64);
  checkLoadable("/x/a.dylib", fat([CPU_X86_64, CPU_ARM64]), DARWIN_ARM64);
  checkLoadable("/x/a.dylib", fat([CPU_X86_64, CPU_ARM64]), DARWIN_X64);

  const err = rejects("/x/a.dylib", fat([CPU_I386, CPU_X86_64]), DARWIN_ARM64, "EWRONGARCH");
  assert.equal(
    err.message,
    'Cannot load "/x/a.dylib": it is a Mach-O universal binary for i386 and x86-64, ' +
      "and this machine needs a Mach-O 64-bit shared library for AArch64",
  );
  assert.equal(err.hint, "Get the build of this extension for darwin-arm64 (aarch64)");
  rejects("/x/a.dylib", macho({ cpu: CPU_X86_64 }), DARWIN_ARM64, "EWRONGARCH");
  rejects("/x/a.dylib", macho(), LINUX_ARM64, "EWRONGARCH");
  rejects("/x/a.dylib", fat([CPU_X86_64, CPU_ARM64]), LINUX_X64, "EWRONGARCH");
  const exe = rejects("/x/prog", macho({ filetype: 2 }), DARWIN_ARM64, "ENOTLIB");
  assert.match(
    exe.message,
    /: it is a Mach-O 64-bit executable for AArch64, not a shared library$/,
  );
});

Deno.test("header: PE DLLs, executables and machines", () => {
  const cases: [Uint8Array, string][] = [
    [pe(), "a PE 64-bit shared library for x86-64"],
    [pe({ machine: 0xaa64 }), "a PE 64-bit shared library for AArch64"],
    [pe({ machine: 0x14c, magic: 0x10b }), "a PE 32-bit shared library for i386"],
    [pe({ characteristics: 0x0022 }), "a PE 64-bit executable for x86-64"],
    [pe({ machine: 0x1234 }), "a PE 64-bit shared library for machine type 0x1234"],
  ];
  for (const [bytes, description] of cases) {
    assert.equal(describeLibrary(bytes).description, description);
  }
  checkLoadable("/x/a.dll", pe(), WINDOWS_X64);
  checkLoadable("/x/a.dll", pe({ machine: 0xaa64 }), { os: "windows", arch: "aarch64" });

  const err = rejects("/x/a.dll", pe({ machine: 0x14c, magic: 0x10b }), WINDOWS_X64, "EWRONGARCH");
  assert.equal(
    err.message,
    'Cannot load "/x/a.dll": it is a PE 32-bit shared library for i386, ' +
      "and this machine needs a PE 64-bit shared library for x86-64",
  );
  assert.equal(err.hint, "Get the build of this extension for windows-x64 (x86_64)");
  rejects("/x/a.dll", pe(), LINUX_X64, "EWRONGARCH");
  rejects("/x/a.dll", pe(), DARWIN_X64, "EWRONGARCH");
  rejects("/x/prog.exe", pe({ characteristics: 0x0022 }), WINDOWS_X64, "ENOTLIB");
  // e_lfanew pointing past the bytes read, or at no PE signature: a plain DOS program.
  const dos = pe().map((b, i) => i === 0x80 ? 0 : b);
  assert.equal(describeLibrary(dos).description, "a DOS executable");
});

Deno.test("header: hostLibrary describes this and other machines", () => {
  assert.deepEqual(hostLibrary(LINUX_X64), {
    os: "linux",
    platform: "linux-x64",
    format: "ELF",
    suffix: ".so",
    target: { arch: "x86_64", bits: 64, endian: "little", archName: "x86-64" },
    description: "an ELF 64-bit shared library for x86-64",
  });
  assert.equal(hostLibrary(DARWIN_ARM64).description, "a Mach-O 64-bit shared library for AArch64");
  assert.equal(hostLibrary(DARWIN_ARM64).suffix, ".dylib");
  assert.equal(hostLibrary(WINDOWS_X64).description, "a PE 64-bit shared library for x86-64");
  assert.equal(hostLibrary().os, Deno.build.os);

  // A CPU this module does not know: the format is still checked, the CPU is not.
  const exotic = { os: "linux", arch: "vax" };
  assert.equal(hostLibrary(exotic).target, undefined);
  assert.equal(hostLibrary(exotic).description, "an ELF shared library");
  checkLoadable("/x/a.so", elf({ machine: 75 }), exotic);
  const err = rejects("/x/a.dylib", macho(), exotic, "EWRONGARCH");
  assert.equal(
    err.message,
    'Cannot load "/x/a.dylib": it is a Mach-O 64-bit shared library for AArch64, and this machine needs an ELF shared library',
  );
  assert.equal(err.hint, "Get the build of this extension for linux-vax (vax)");
});
