/**
 * The platforms an extension is published for, named once for both sides: npm's
 * per-platform packages (`sqlite-vec-linux-x64`, the `<os>-<cpu>` suffix the sqlite-dist
 * family uses) and sqlink's target triples (lib/bake/targets.ts, Deno's names).
 */
import { SqlinkError, UsageError } from "../errors.ts";
import { type Target, TARGETS } from "../bake/targets.ts";

/** One platform: its npm suffix, its target triple, and what Deno.build calls it. */
export interface Platform {
  /** `linux-x64`: the suffix of npm's per-platform package. */
  npm: string;
  /** `x86_64-unknown-linux-gnu`. */
  target: Target;
  /** Deno.build.os. */
  os: string;
  /** Deno.build.arch. */
  arch: string;
  /** The shared-library suffix its loader takes. */
  suffix: ".so" | ".dylib" | ".dll";
}

/** Every platform sqlink can load (and bake) extensions for, in TARGETS order. */
export const PLATFORMS: readonly Platform[] = [
  { npm: "linux-x64", target: TARGETS[0], os: "linux", arch: "x86_64", suffix: ".so" },
  { npm: "linux-arm64", target: TARGETS[1], os: "linux", arch: "aarch64", suffix: ".so" },
  { npm: "darwin-x64", target: TARGETS[2], os: "darwin", arch: "x86_64", suffix: ".dylib" },
  { npm: "darwin-arm64", target: TARGETS[3], os: "darwin", arch: "aarch64", suffix: ".dylib" },
  { npm: "windows-x64", target: TARGETS[4], os: "windows", arch: "x86_64", suffix: ".dll" },
];

/**
 * This machine's platform. Deno runs on glibc Linux only (its linux targets are `-gnu`), so
 * the libc is the target's; a machine sqlink cannot name is one clear error.
 */
export function hostPlatform(build: { os: string; arch: string } = Deno.build): Platform {
  const found = PLATFORMS.find((p) => p.os === build.os && p.arch === build.arch);
  if (!found) {
    throw new SqlinkError(
      "EPLATFORM",
      `No extension platform is known for ${build.os} on ${build.arch}`,
      { hint: `sqlink installs extensions for ${PLATFORMS.map((p) => p.npm).join(", ")}` },
    );
  }
  return found;
}

/** The platform of a target triple (`--target`), or a usage error listing the known ones. */
export function platformOfTarget(target: string): Platform {
  const found = PLATFORMS.find((p) => p.target === target);
  if (!found) {
    throw new UsageError(`Unknown target "${target}"`, {
      hint: `Extensions are installed for ${PLATFORMS.map((p) => p.target).join(", ")}`,
    });
  }
  return found;
}

/** The platform whose npm suffix `name` ends with (`sqlite-vec-linux-x64`), if any. */
export function platformOfPackage(name: string): Platform | undefined {
  return PLATFORMS.find((p) => name.endsWith(`-${p.npm}`));
}
