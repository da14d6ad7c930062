/**
 * Running `deno compile` (SPEC §7): finding `deno`, spawning it on a staged build, and
 * turning its failures (no `deno`, no network for Deno's runtime download, a compile
 * error) into one clear error each.
 */
import { basename, dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { SqlinkError } from "../errors.ts";
import { removeQuietly } from "../fs.ts";
import { whichOnPath } from "./grant.ts";
import type { Target } from "./targets.ts";

/** The `deno` to compile with: `SQLINK_DENO`, else `deno` on PATH. */
export function findDeno(): string {
  const chosen = Deno.env.get("SQLINK_DENO");
  if (chosen) {
    try {
      if (Deno.statSync(chosen).isFile) return chosen;
    } catch {
      // Reported below.
    }
    throw new SqlinkError("ENODENO", `Cannot bake: SQLINK_DENO names "${chosen}", not a file`, {
      hint: "Point SQLINK_DENO at the deno executable, or unset it to use deno from PATH",
    });
  }
  const found = whichOnPath("deno");
  if (found) return found;
  throw new SqlinkError("ENODENO", "Cannot bake: there is no `deno` on PATH", {
    hint:
      "Install Deno 2.9 or newer (`npm install -g deno@2.9.6`), or set SQLINK_DENO to the deno executable",
  });
}

/** One `deno compile` run over a staged build. */
export interface CompileRequest {
  /** The deno executable. */
  deno: string;
  /** The staged build directory (the working directory of the compile). */
  stageDir: string;
  /** The entry module, relative to stageDir. */
  entry: string;
  /** Files and directories to embed, relative to stageDir. */
  includes: readonly string[];
  target: Target;
  /** Where deno writes the executable (a temporary name the caller renames). */
  output: string;
}

/** The arguments of `deno compile` for `request`. */
export function compileArgs(request: CompileRequest): string[] {
  return [
    "compile",
    "--target",
    request.target,
    "--output",
    request.output,
    // node:sqlite allows ATTACH and file: names only with every permission, and
    // extensions need FFI: a shell needs them all.
    "--allow-all",
    // The source is sqlink's own, type-checked before it was released.
    "--no-check",
    "--config",
    "deno.json",
    "--frozen",
    ...request.includes.flatMap((path) => ["--include", path]),
    request.entry,
  ];
}

/** Run `deno compile`; resolves when the executable is written, else throws SqlinkError. */
export async function compile(request: CompileRequest): Promise<void> {
  let result: Deno.CommandOutput;
  try {
    result = await new Deno.Command(request.deno, {
      args: compileArgs(request),
      cwd: request.stageDir,
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new SqlinkError("ENODENO", `Cannot bake: "${request.deno}" does not exist`, {
        hint: "Install Deno 2.9 or newer (`npm install -g deno@2.9.6`)",
        cause: err,
      });
    }
    throw new SqlinkError("ESPAWN", `Cannot run "${request.deno}": ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (result.success) return;
  // The staging directory is gone when the user reads this: name its files as sqlink's.
  const stage = pathToFileURL(request.stageDir).href;
  const text = (new TextDecoder().decode(result.stderr) + new TextDecoder().decode(result.stdout))
    .replaceAll(`${stage}/`, "").replaceAll(`${request.stageDir}/`, "");
  throw compileFailure(text, result.code, request.target);
}

const ESC = String.fromCharCode(27);

/** What a failed `deno compile` said, as one error. */
export function compileFailure(output: string, code: number, target: Target): SqlinkError {
  // deno colours its output even with NO_COLOR in places; its stack backtrace is noise.
  const text = output.replaceAll(ESC, "").replace(/\[[0-9;]*m/g, "").replace(
    /\n?Stack backtrace:[\s\S]*$/,
    "",
  );
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  // deno's own words for a failed download; never a source location (a file may be
  // called connection.ts).
  const network = lines.find((l) =>
    !/\bat file:\/\//.test(l) &&
    /error sending request for url|dns error|tcp connect error|client error \(Connect\)|operation timed out/
      .test(l)
  );
  const details = { exitCode: code, output: text.trim() };
  if (/denort|Setting up base binary|dl\.deno\.land/.test(text) && network) {
    return new SqlinkError(
      "EOFFLINE",
      `deno compile could not download Deno's runtime for ${target}: ${lastCause(network)}`,
      {
        hint:
          `Compile where Deno can reach dl.deno.land (it caches the runtime for later builds), or set DENORT_BIN to a denort executable for ${target}`,
        details,
      },
    );
  }
  if (network) {
    return new SqlinkError(
      "EOFFLINE",
      `deno compile could not fetch what sqlink's source needs: ${lastCause(network)}`,
      {
        hint: "Compile where the npm registry can be reached, or warm Deno's cache first",
        details,
      },
    );
  }
  const error = lines.find((l) => /^error:/i.test(l)) ?? lines.at(-1) ?? "no output";
  return new SqlinkError(
    "ECOMPILE",
    `deno compile failed (exit ${code}): ${error.replace(/^error:\s*/i, "")}`,
    {
      hint: lines.length > 0
        ? `deno's output ends: ${lines.slice(-3).join(" / ")}`
        : "deno printed nothing: check the deno executable sqlink runs (SQLINK_DENO or PATH)",
      details,
    },
  );
}

function lastCause(line: string): string {
  return line.replace(/^\d+:\s*/, "").replace(/^error:\s*/i, "");
}

/**
 * Remove a compile's output and the `<output>.tmp-<random>` file deno writes before its own
 * rename (a failed or interrupted compile can leave either); never throws.
 */
export function discardOutput(output: string): void {
  const dir = dirname(output);
  const name = basename(output);
  try {
    for (const entry of Deno.readDirSync(dir)) {
      if (entry.name.startsWith(name)) removeQuietly(join(dir, entry.name));
    }
  } catch {
    // The directory is gone, and the leftovers with it.
  }
}
