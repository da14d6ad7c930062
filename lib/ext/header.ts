/**
 * What a would-be SQLite extension is, read from its first bytes, and whether this machine
 * can load it. When dlopen refuses a file, SQLite retries with `.so` (`.dylib`, `.dll`)
 * appended and reports only that second failure, so loading an arm64 build on x86-64 says
 * "vec0.so.so: cannot open shared object file: No such file or directory". This module
 * turns the common mistakes (a text file, a macOS build on Linux, an arm64 build on x86-64,
 * a static library) into one sentence that says what was found and what is needed.
 *
 * Pure functions over bytes: the caller reads the first HEADER_BYTES of the file.
 *
 * @example
 * ```ts
 * import { checkLoadable, HEADER_BYTES } from "./header.ts";
 * const path = "./vec0.so";
 * const head = Deno.readFileSync(path).subarray(0, HEADER_BYTES);
 * checkLoadable(path, head); // throws SqlinkError ENOTLIB or EWRONGARCH
 * ```
 */
import { SqlinkError } from "../errors.ts";

/** How many leading bytes of a file `describeLibrary` and `checkLoadable` want to see. */
export const HEADER_BYTES = 4096;

/** One machine a binary is built for. A Mach-O universal binary has several. */
export interface Target {
  /** Word size of the code: ELFCLASS32/64, the Mach-O magic, the PE optional header. */
  bits: 32 | 64;
  endian: "little" | "big";
  /** A stable id: `x86_64`, `aarch64` (the names Deno.build.arch uses), `i386`, `arm`… */
  arch: string;
  /** The arch for people: `x86-64`, `AArch64`, `i386`, `ARM`… */
  archName: string;
}

/** An ELF, Mach-O or PE file, of any kind (shared library, executable, object…). */
export interface LibraryFormat {
  format: "ELF" | "Mach-O" | "PE";
  /** `shared library`, `executable`, `relocatable object`, `universal binary`… */
  kind: string;
  /** Whether a dynamic loader maps files of this kind at all, whatever the machine. */
  loadable: boolean;
  /** One target, or several for a Mach-O universal binary. */
  targets: Target[];
  /** `an ELF 64-bit shared library for x86-64` */
  description: string;
}

/** Anything that is not an ELF, Mach-O or PE file. */
export interface OtherFormat {
  format: "other";
  /** `an empty file`, `a text file`, `a SQLite database`, `a zip archive`… */
  description: string;
}

/** What the dynamic loader of a host loads. */
export interface HostLibrary {
  /** The OS as Deno.build.os names it. */
  os: string;
  /** The platform as npm packages of SQLite extensions name it: `linux-x64`, `darwin-arm64`. */
  platform: string;
  format: LibraryFormat["format"];
  /** The usual file name suffix: `.so`, `.dylib`, `.dll`. */
  suffix: string;
  /** Undefined when the arch is not one this module knows; then any arch passes. */
  target?: Target;
  /** `an ELF 64-bit shared library for x86-64` */
  description: string;
}

/** The OS and CPU to check against, as Deno.build has them. */
export interface Build {
  os: string;
  arch: string;
}

/** Deno.build.arch (and a few other spellings) → the target a host of that arch loads. */
const HOST_ARCHES: Record<string, Omit<Target, "archName">> = {
  x86_64: { arch: "x86_64", bits: 64, endian: "little" },
  aarch64: { arch: "aarch64", bits: 64, endian: "little" },
  riscv64: { arch: "riscv", bits: 64, endian: "little" },
  riscv64gc: { arch: "riscv", bits: 64, endian: "little" },
  loongarch64: { arch: "loongarch", bits: 64, endian: "little" },
  powerpc64le: { arch: "ppc64", bits: 64, endian: "little" },
  s390x: { arch: "s390", bits: 64, endian: "big" },
  x86: { arch: "i386", bits: 32, endian: "little" },
  arm: { arch: "arm", bits: 32, endian: "little" },
};

/** npm's spelling of an arch in platform package names (`sqlite-vec-linux-x64`). */
const NPM_ARCHES: Record<string, string> = { x86_64: "x64", aarch64: "arm64" };

const ARCH_NAMES: Record<string, string> = {
  x86_64: "x86-64",
  i386: "i386",
  aarch64: "AArch64",
  arm: "ARM",
  riscv: "RISC-V",
  ppc: "PowerPC",
  ppc64: "PowerPC64",
  s390: "IBM S/390",
  mips: "MIPS",
  loongarch: "LoongArch",
  sparc: "SPARC",
  sparc64: "SPARC V9",
  ia64: "IA-64",
  m68k: "Motorola 68000",
  sh: "SuperH",
  bpf: "eBPF",
};

const ELF_MACHINES: Record<number, string> = {
  2: "sparc",
  3: "i386",
  4: "m68k",
  8: "mips",
  20: "ppc",
  21: "ppc64",
  22: "s390",
  40: "arm",
  42: "sh",
  43: "sparc64",
  50: "ia64",
  62: "x86_64",
  183: "aarch64",
  243: "riscv",
  247: "bpf",
  258: "loongarch",
};

/** e_type → kind; only ET_DYN is loadable. */
const ELF_TYPES: Record<number, string> = {
  1: "relocatable object (.o)",
  2: "executable",
  // ET_DYN is both a shared library and a position-independent executable; the header
  // alone cannot tell them apart (DF_1_PIE sits in the dynamic section, past the first
  // page), and libc.so.6 is ET_DYN with an interpreter too. So a PIE passes here and
  // dlopen itself refuses it with "cannot dynamically load position-independent executable".
  3: "shared library",
  4: "core dump",
};

const CPU_ARCH_ABI64 = 0x0100_0000;
const CPU_ARCH_ABI64_32 = 0x0200_0000;

/** Mach-O cputype without its ABI bits → arch. */
const MACHO_CPUS: Record<number, { arch32: string; arch64: string }> = {
  7: { arch32: "i386", arch64: "x86_64" },
  12: { arch32: "arm", arch64: "aarch64" },
  18: { arch32: "ppc", arch64: "ppc64" },
};

/** Mach-O filetype → kind; dlopen takes MH_DYLIB and MH_BUNDLE. */
const MACHO_TYPES: Record<number, string> = {
  1: "object file",
  2: "executable",
  4: "core dump",
  6: "shared library",
  7: "dynamic linker",
  8: "loadable bundle",
  9: "library stub",
  10: "debug symbols file",
  11: "kernel extension",
};
const MACHO_LOADABLE = new Set([6, 8]);

const PE_MACHINES: Record<number, string> = {
  0x14c: "i386",
  0x1c0: "arm",
  0x1c4: "arm",
  0x200: "ia64",
  0x5032: "riscv",
  0x5064: "riscv",
  0x6232: "loongarch",
  0x6264: "loongarch",
  0x8664: "x86_64",
  0xa641: "aarch64", // ARM64EC
  0xaa64: "aarch64",
};
const IMAGE_FILE_EXECUTABLE_IMAGE = 0x0002;
const IMAGE_FILE_DLL = 0x2000;

/** Magic numbers of common files that are not libraries, to name the mistake. */
const OTHER_MAGICS: [number[] | string, string][] = [
  ["SQLite format 3\0", "a SQLite database"],
  ["!<arch>\n", "a static library (ar archive)"],
  ["!<thin>\n", "a static library (ar archive)"],
  ["PK\x03\x04", "a zip archive"],
  ["PK\x05\x06", "a zip archive"],
  [[0x1f, 0x8b], "a gzip-compressed file"],
  [[0x28, 0xb5, 0x2f, 0xfd], "a zstd-compressed file"],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], "an xz-compressed file"],
  ["BZh", "a bzip2-compressed file"],
  ["\0asm", "a WebAssembly module"],
  ["%PDF-", "a PDF document"],
];

/**
 * Say what `head` (the first bytes of a file, HEADER_BYTES if it has them) is: an ELF,
 * Mach-O or PE file with its kind and target(s), or some other kind of file.
 */
export function describeLibrary(head: Uint8Array): LibraryFormat | OtherFormat {
  if (head.length === 0) return other("an empty file");
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) return describeElf(head);
  const le = u32(head, 0, "little");
  const be = u32(head, 0, "big");
  if (le === 0xfeedface || le === 0xfeedfacf) return describeMachO(head, "little");
  if (be === 0xfeedface || be === 0xfeedfacf) return describeMachO(head, "big");
  if (be === 0xcafebabe || be === 0xcafebabf) return describeFat(head);
  if (startsWith(head, "MZ")) return describePe(head);
  for (const [magic, description] of OTHER_MAGICS) {
    if (startsWith(head, magic)) return other(description);
  }
  if (head.length >= 262 && startsWith(head.subarray(257), "ustar")) {
    return other("a tar archive");
  }
  return other(describeText(head) ?? "a file of unknown format");
}

/** What the dynamic loader of `build` (this machine by default) loads. */
export function hostLibrary(build: Build = Deno.build): HostLibrary {
  const format = build.os === "darwin" ? "Mach-O" : build.os === "windows" ? "PE" : "ELF";
  const suffix = format === "Mach-O" ? ".dylib" : format === "PE" ? ".dll" : ".so";
  const known = HOST_ARCHES[build.arch];
  const target = known && { ...known, archName: ARCH_NAMES[known.arch] };
  return {
    os: build.os,
    platform: `${build.os}-${NPM_ARCHES[build.arch] ?? build.arch}`,
    format,
    suffix,
    target,
    description: target
      ? sentence(format, "shared library", [target])
      : `${article(format)} ${format} shared library`,
  };
}

/**
 * Throw a SqlinkError when `bytes` (the whole file at `path`) is not something `build`'s
 * loader can load: `ENOTLIB` for a file that is not a shared library at all or one cut
 * short, `EWRONGARCH` for a library built for another OS or CPU.
 */
export function checkLoadable(path: string, bytes: Uint8Array, build: Build = Deno.build): void {
  const found = describeLibrary(bytes.subarray(0, HEADER_BYTES));
  const host = hostLibrary(build);
  const details = { path, found: found.description, expected: host.description };
  if (found.format === "other" || !found.loadable) {
    throw new SqlinkError(
      "ENOTLIB",
      `Cannot load "${path}": it is ${found.description}, not a shared library`,
      { hint: `SQLite extensions on this machine are ${plural(host)}`, details },
    );
  }
  // The loader maps what the headers promise: a table or segment past the end of the file
  // is a SIGBUS when touched, which kills the process before SQLite can say anything.
  const cut = truncation(found.format, bytes);
  if (cut !== undefined) {
    throw new SqlinkError(
      "ENOTLIB",
      `Cannot load "${path}": it is ${found.description}, but truncated: ${cut}`,
      {
        hint: "The file is incomplete (an interrupted download or copy): get it again",
        details: { ...details, truncated: cut },
      },
    );
  }
  if (!matches(found, host)) {
    // When only the byte order differs, say so on both sides, or the two descriptions
    // would read the same.
    const endianOnly = found.format === host.format &&
      found.targets.some((t) => host.target && sameBut(t, host.target));
    const foundText = endianOnly
      ? sentence(found.format, found.kind, found.targets, true)
      : found.description;
    const needed = endianOnly
      ? sentence(host.format, "shared library", [host.target!], true)
      : host.description;
    throw new SqlinkError(
      "EWRONGARCH",
      `Cannot load "${path}": it is ${foundText}, and this machine needs ${needed}`,
      {
        hint: `Get the build of this extension for ${host.platform} (${build.arch})`,
        details,
      },
    );
  }
}

/** True when `head` starts a file of `build`'s format, for its CPU (any kind: programs too). */
export function isBuiltFor(head: Uint8Array, build: Build = Deno.build): boolean {
  const found = describeLibrary(head);
  return found.format !== "other" && matches(found, hostLibrary(build));
}

function matches(found: LibraryFormat, host: HostLibrary): boolean {
  if (found.format !== host.format) return false;
  const want = host.target;
  if (!want) return true;
  return found.targets.some((t) =>
    t.arch === want.arch && t.bits === want.bits && t.endian === want.endian
  );
}

function sameBut(a: Target, b: Target): boolean {
  return a.arch === b.arch && a.bits === b.bits && a.endian !== b.endian;
}

function describeElf(head: Uint8Array): LibraryFormat | OtherFormat {
  if (head.length < 20) return other("a truncated ELF file");
  const bits = head[4] === 1 ? 32 : head[4] === 2 ? 64 : undefined;
  const endian = head[5] === 1 ? "little" : head[5] === 2 ? "big" : undefined;
  if (!bits || !endian) {
    return other(`a malformed ELF file (class ${head[4]}, data encoding ${head[5]})`);
  }
  // The whole ELF header (e_ehsize) must be there, or the loader has nothing to map.
  if (head.length < (bits === 64 ? 64 : 52)) return other("a truncated ELF file");
  const type = u16(head, 16, endian);
  const machine = u16(head, 18, endian);
  const arch = ELF_MACHINES[machine] ?? `elf-machine-${machine}`;
  const target: Target = {
    bits,
    endian,
    arch,
    archName: ARCH_NAMES[arch] ?? `machine type ${machine}`,
  };
  return library("ELF", ELF_TYPES[type] ?? `file of type ${type}`, type === 3, [target]);
}

function describeMachO(head: Uint8Array, endian: Target["endian"]): LibraryFormat | OtherFormat {
  const bits = (u32(head, 0, endian) & 1) === 1 ? 64 : 32;
  if (head.length < (bits === 64 ? 32 : 28)) return other("a truncated Mach-O file");
  const target = machOTarget(u32(head, 4, endian), bits, endian);
  const filetype = u32(head, 12, endian);
  const kind = MACHO_TYPES[filetype] ?? `file of type ${filetype}`;
  return library("Mach-O", kind, MACHO_LOADABLE.has(filetype), [target]);
}

function describeFat(head: Uint8Array): LibraryFormat | OtherFormat {
  const count = u32(head, 4, "big");
  // Java class files share the magic 0xcafebabe; there the next word holds the class file
  // version (major ≥ 45), while real universal binaries have a handful of architectures.
  if (count === 0 || count > 20) {
    return u32(head, 0, "big") === 0xcafebabe && count >= 45
      ? other("a Java class file")
      : other("a file of unknown format");
  }
  const wide = u32(head, 0, "big") === 0xcafebabf;
  const entry = wide ? 32 : 20;
  if (head.length < 8 + count * entry) return other("a truncated Mach-O universal binary");
  const targets: Target[] = [];
  for (let i = 0; i < count; i++) {
    const cputype = u32(head, 8 + i * entry, "big");
    const bits = (cputype & CPU_ARCH_ABI64) !== 0 ? 64 : 32;
    // The slices' own headers lie past the first page, so their byte order comes from the
    // CPU: of the Macs' CPUs only PowerPC is big-endian.
    const endian = (cputype & 0xff_ffff) === 18 ? "big" : "little";
    targets.push(machOTarget(cputype, bits, endian));
  }
  // The slices' file types are past the first page too; the loader will judge those.
  return library("Mach-O", "universal binary", true, targets);
}

function machOTarget(cputype: number, bits: 32 | 64, endian: Target["endian"]): Target {
  const cpu = MACHO_CPUS[cputype & 0xff_ffff];
  const wide = (cputype & (CPU_ARCH_ABI64 | CPU_ARCH_ABI64_32)) !== 0;
  const arch = cpu ? (wide ? cpu.arch64 : cpu.arch32) : `macho-cpu-${cputype}`;
  return { bits, endian, arch, archName: ARCH_NAMES[arch] ?? `CPU type ${cputype}` };
}

function describePe(head: Uint8Array): LibraryFormat | OtherFormat {
  const offset = head.length >= 0x40 ? u32(head, 0x3c, "little") : 0;
  if (offset < 0x40 || head.length < offset + 26 || !startsWith(head.subarray(offset), "PE\0\0")) {
    return other("a DOS executable");
  }
  const machine = u16(head, offset + 4, "little");
  const characteristics = u16(head, offset + 22, "little");
  const magic = u16(head, offset + 24, "little");
  const arch = PE_MACHINES[machine] ?? `pe-machine-${machine}`;
  const bits = magic === 0x20b ? 64 : magic === 0x10b ? 32 : machine === 0x14c ? 32 : 64;
  const target: Target = {
    bits,
    endian: "little",
    arch,
    archName: ARCH_NAMES[arch] ?? `machine type 0x${machine.toString(16)}`,
  };
  const dll = (characteristics & IMAGE_FILE_DLL) !== 0;
  const kind = dll
    ? "shared library"
    : (characteristics & IMAGE_FILE_EXECUTABLE_IMAGE) !== 0
    ? "executable"
    : "object file";
  return library("PE", kind, dll, [target]);
}

/**
 * What of an ELF, Mach-O or PE file lies past its end (`bytes` is the whole file): the
 * header tables, the segments the loader maps, the slices of a universal binary; or
 * undefined when everything the headers name is inside the file.
 */
export function truncation(format: LibraryFormat["format"], bytes: Uint8Array): string | undefined {
  const size = bytes.length;
  const past = (what: string, end: number) =>
    end > size ? `${what} ends at byte ${end}, and the file has ${size}` : undefined;
  if (format === "ELF") return elfTruncation(bytes, past);
  if (format === "Mach-O") return machOTruncation(bytes, past);
  return peTruncation(bytes, past);
}

type Past = (what: string, end: number) => string | undefined;

const PT_LOAD = 1;

function elfTruncation(b: Uint8Array, past: Past): string | undefined {
  const wide = b[4] === 2;
  const endian = b[5] === 2 ? "big" : "little";
  const word = (at: number) => wide ? u64(b, at, endian) : u32(b, at, endian);
  const phoff = word(wide ? 32 : 28);
  const shoff = word(wide ? 40 : 32);
  const at = wide ? 54 : 42;
  const [phentsize, phnum, shentsize, shnum] = [0, 2, 4, 6].map((d) => u16(b, at + d, endian));
  const problem = past("the program header table", phoff + phentsize * phnum) ??
    (shoff === 0 ? undefined : past("the section header table", shoff + shentsize * shnum));
  if (problem) return problem;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (u32(b, ph, endian) !== PT_LOAD) continue;
    const offset = wide ? u64(b, ph + 8, endian) : u32(b, ph + 4, endian);
    const filesz = wide ? u64(b, ph + 32, endian) : u32(b, ph + 16, endian);
    const loaded = past(`loadable segment ${i}`, offset + filesz);
    if (loaded) return loaded;
  }
  return undefined;
}

const LC_SEGMENT = 0x1;
const LC_SEGMENT_64 = 0x19;

function machOTruncation(b: Uint8Array, past: Past, base = 0): string | undefined {
  const be = u32(b, base, "big");
  if (be === 0xcafebabe || be === 0xcafebabf) {
    const wide = be === 0xcafebabf;
    const entry = wide ? 32 : 20;
    const count = u32(b, base + 4, "big");
    for (let i = 0; i < count; i++) {
      const e = base + 8 + i * entry;
      const offset = wide ? u64(b, e + 8, "big") : u32(b, e + 8, "big");
      const size = wide ? u64(b, e + 16, "big") : u32(b, e + 12, "big");
      const slice = past(`slice ${i}`, offset + size) ??
        (size === 0 ? undefined : machOTruncation(b, past, offset));
      if (slice) return slice;
    }
    return undefined;
  }
  const endian = u32(b, base, "little") >>> 1 === 0xfeedface >>> 1 ? "little" : "big";
  const wide = (u32(b, base, endian) & 1) === 1;
  const ncmds = u32(b, base + 16, endian);
  const sizeofcmds = u32(b, base + 20, endian);
  const header = wide ? 32 : 28;
  const problem = past("the load commands", base + header + sizeofcmds);
  if (problem) return problem;
  let cmd = base + header;
  for (let i = 0; i < ncmds && cmd + 8 <= b.length; i++) {
    const kind = u32(b, cmd, endian);
    const cmdsize = u32(b, cmd + 4, endian);
    if (kind === LC_SEGMENT_64 || kind === LC_SEGMENT) {
      const w = kind === LC_SEGMENT_64;
      const fileoff = w ? u64(b, cmd + 40, endian) : u32(b, cmd + 32, endian);
      const filesize = w ? u64(b, cmd + 48, endian) : u32(b, cmd + 36, endian);
      const segment = past(`segment ${i}`, base + fileoff + filesize);
      if (segment) return segment;
    }
    if (cmdsize < 8) break;
    cmd += cmdsize;
  }
  return undefined;
}

function peTruncation(b: Uint8Array, past: Past): string | undefined {
  const offset = u32(b, 0x3c, "little");
  const sections = u16(b, offset + 6, "little");
  const optional = u16(b, offset + 20, "little");
  const table = offset + 24 + optional;
  const problem = past("the section table", table + sections * 40);
  if (problem) return problem;
  for (let i = 0; i < sections; i++) {
    const s = table + i * 40;
    const raw = u32(b, s + 16, "little");
    const pointer = u32(b, s + 20, "little");
    const section = raw === 0 ? undefined : past(`section ${i}`, pointer + raw);
    if (section) return section;
  }
  return undefined;
}

/** Tab, line feed, form feed, carriage return and escape: the control bytes text may hold. */
const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0c, 0x0d, 0x1b]);

/** `a text file`, `an HTML page`, `a script`, or undefined for binary data. */
function describeText(head: Uint8Array): string | undefined {
  if (head.some((b) => (b < 0x20 && !TEXT_CONTROLS.has(b)) || b === 0x7f)) return undefined;
  let text: string;
  try {
    // stream: a multi-byte character cut at the end of the head is not an error.
    text = new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: true });
  } catch {
    return undefined;
  }
  // A page saved from a web site instead of the raw file is an easy mistake to make.
  if (/^\s*<(!doctype html|html)/i.test(text.replace(/^\ufeff/, ""))) return "an HTML page";
  if (text.startsWith("#!")) return "a script";
  return "a text file";
}

function library(
  format: LibraryFormat["format"],
  kind: string,
  loadable: boolean,
  targets: Target[],
): LibraryFormat {
  return { format, kind, loadable, targets, description: sentence(format, kind, targets) };
}

/** `an ELF 64-bit shared library for x86-64`; `a Mach-O universal binary for x86-64 and AArch64`. */
function sentence(
  format: LibraryFormat["format"],
  kind: string,
  targets: Target[],
  endian = false,
): string {
  const one = targets.length === 1 ? targets[0] : undefined;
  const order = one && (endian || one.endian === "big") ? `${one.endian}-endian ` : "";
  const size = one ? `${one.bits}-bit ` : "";
  const archs = listed(targets.map((t) => t.archName));
  return `${article(format)} ${format} ${size}${order}${kind} for ${archs}`;
}

/** `ELF 64-bit shared libraries for x86-64 (.so files)` */
function plural(host: HostLibrary): string {
  const t = host.target;
  const order = t?.endian === "big" ? "big-endian " : "";
  const what = t
    ? `${host.format} ${t.bits}-bit ${order}shared libraries for ${t.archName}`
    : `${host.format} shared libraries`;
  return `${what} (${host.suffix} files)`;
}

function listed(items: string[]): string {
  const unique = [...new Set(items)];
  return unique.length <= 1
    ? unique.join("")
    : `${unique.slice(0, -1).join(", ")} and ${unique.at(-1)}`;
}

function article(format: string): string {
  return format === "ELF" ? "an" : "a";
}

function other(description: string): OtherFormat {
  return { format: "other", description };
}

function startsWith(bytes: Uint8Array, magic: number[] | string): boolean {
  const want = typeof magic === "string" ? [...magic].map((c) => c.charCodeAt(0)) : magic;
  return bytes.length >= want.length && want.every((b, i) => bytes[i] === b);
}

function u16(bytes: Uint8Array, at: number, endian: Target["endian"]): number {
  if (at + 2 > bytes.length) return 0;
  return new DataView(bytes.buffer, bytes.byteOffset + at, 2).getUint16(0, endian === "little");
}

function u32(bytes: Uint8Array, at: number, endian: Target["endian"]): number {
  if (at + 4 > bytes.length) return 0;
  return new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, endian === "little");
}

/** A 64-bit field as a number; past 2^53 it is still far past the end of any file. */
function u64(bytes: Uint8Array, at: number, endian: Target["endian"]): number {
  if (at + 8 > bytes.length) return 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 8);
  return Number(view.getBigUint64(0, endian === "little"));
}
