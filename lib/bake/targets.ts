/**
 * The machines a baked sqlink can be built for: the five targets `deno compile --target`
 * accepts, what each one names its executables, and what its dynamic loader loads.
 */
import { UsageError } from "../errors.ts";
import type { Build } from "../ext/header.ts";

/** Every target `deno compile` can produce, as Deno names them. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** One of TARGETS. */
export type Target = typeof TARGETS[number];

/** Refuse a target `deno compile` does not know, listing those it does. */
export function checkTarget(target: string): Target {
  if ((TARGETS as readonly string[]).includes(target)) return target as Target;
  throw new UsageError(`Unknown target "${target}"`, {
    hint: `Deno can build for ${TARGETS.join(", ")}`,
  });
}

/** The OS and CPU of `target`, as Deno.build names them (for checking extension headers). */
export function targetBuild(target: Target): Build {
  const [arch, , os] = target.split("-");
  return { arch, os };
}

/** The file name of sqlink on `target`: `sqlink`, or `sqlink.exe` on Windows. */
export function programName(target: Target, stem = "sqlink"): string {
  return target.includes("windows") ? `${stem}.exe` : stem;
}
