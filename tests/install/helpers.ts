/** Pieces the install tests share: a machine that asks a given registry, and its errors. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Machine } from "../remote/helpers.ts";

/** A machine that asks `registry` and works in its own folder (for .npmrc and sqlink.lock). */
export function machineFor(
  dir: string,
  name: string,
  registry: string,
  env: Record<string, string> = {},
) {
  const machine = new Machine(dir, name, {
    npm_config_registry: registry,
    npm_config_userconfig: join(dir, name, "npmrc"),
    ...env,
  });
  const work = join(dir, name, "work");
  Deno.mkdirSync(work, { recursive: true });
  return {
    machine,
    work,
    run: (args: string[], stdin?: string) => machine.run(args, { cwd: work, stdin }),
  };
}

/** The one `error:` line of stderr, checked to be the only one. */
export function oneError(stderr: string): string {
  const errors = stderr.split("\n").filter((l) => l.startsWith("error: "));
  assert.equal(errors.length, 1, stderr);
  return errors[0];
}
