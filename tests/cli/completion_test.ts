/**
 * Shell completion end to end: the candidates `sqlink --get-completions` gives (commands,
 * options, choices, bundle names, the shell's own options), and the bash script completing
 * a real command line through an installed-like `sqlink` on PATH.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { MAIN, runSqlink, tempDir } from "../helpers/cli.ts";
import { extensions } from "../helpers/extensions.ts";

function has(program: string): boolean {
  try {
    return new Deno.Command("sh", { args: ["-c", `command -v ${program}`], stdout: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

async function candidates(env: Record<string, string>, ...words: string[]): Promise<string[]> {
  const result = await runSqlink(["--get-completions", "--", ...words], { env });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.split("\n").filter(Boolean);
}

/** A cache holding one bundle, "b1", and the environment that points at it. */
async function cacheWithBundle(dir: string): Promise<Record<string, string>> {
  const env = { SQLINK_CACHE_DIR: join(dir, "cache"), SQLINK_CAS: "" };
  const { vec9 } = await extensions();
  const saved = await runSqlink(["bundle", "save", "b1", vec9.path], { env });
  assert.equal(saved.code, 0, saved.stderr);
  return env;
}

Deno.test("completion candidates: commands, options, choices, bundles, shell options", async () => {
  using dir = tempDir();
  const env = await cacheWithBundle(dir.path);
  const top = await candidates(env, "");
  for (const word of ["cas", "bundle", "compose", "completion", ":files"]) {
    assert.ok(top.includes(word), word);
  }
  assert.deepEqual(await candidates(env, "cas", "uri", ""), ["set", "rm", "ls"]);
  assert.deepEqual(await candidates(env, "cas", "ls", "--sort", ""), ["created", "used", "size"]);
  assert.ok((await candidates(env, "cas", "ls", "--")).includes("--limit"));
  assert.deepEqual(await candidates(env, "cas", "put", ""), [":files"]);
  assert.deepEqual(await candidates(env, "completion", ""), ["bash", "zsh", "fish"]);
  // Bundle names wherever a bundle is named, the cache given by --cas or the environment.
  for (
    const words of [
      ["bundle", "show", ""],
      ["bundle", "delete", ""],
      ["bundle", "build", ""],
      ["cas", "export", ""],
      ["--bundle", ""],
      ["data.db", "--bundle-load", ""],
    ]
  ) assert.deepEqual(await candidates(env, ...words), ["b1"], words.join(" "));
  const elsewhere = { SQLINK_CACHE_DIR: join(dir.path, "none"), SQLINK_CAS: "" };
  const cas = join(dir.path, "cache", "cas.sqlite");
  assert.deepEqual(await candidates(elsewhere, "--cas", cas, "bundle", "show", ""), ["b1"]);
  // Completing never creates a cache.
  assert.deepEqual(await candidates(elsewhere, "bundle", "show", ""), []);
  assert.throws(() => Deno.statSync(join(dir.path, "none")));
  // The shell's own options, before or after the database name.
  for (const words of [["-"], ["data.db", "-"]]) {
    const options = await candidates(env, ...words);
    for (const option of ["-box", "-json", "-header", "-noheader", "--bundle", "--load"]) {
      assert.ok(options.includes(option), `${words.join(" ")}: ${option}`);
    }
  }
});

Deno.test("completion scripts: bash completes through sqlink on PATH; zsh and fish parse", async () => {
  using dir = tempDir();
  const env = await cacheWithBundle(dir.path);
  const bin = join(dir.path, "bin");
  Deno.mkdirSync(bin);
  Deno.writeTextFileSync(
    join(bin, "sqlink"),
    `#!/bin/sh\nexec "${Deno.execPath()}" run --quiet -A "${MAIN}" "$@"\n`,
    { mode: 0o755 },
  );
  const path = `${bin}:${Deno.env.get("PATH")}`;
  const bash = (words: string[]) =>
    new Deno.Command("bash", {
      args: [
        "-c",
        `source <(sqlink completion bash)
COMP_WORDS=(sqlink ${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length}
_sqlink_completions; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      env: { ...env, PATH: path, NO_COLOR: "1" },
      cwd: dir.path,
    }).output();
  const decode = (out: Deno.CommandOutput) => new TextDecoder().decode(out.stdout).trim();
  assert.equal(decode(await bash(["bundle", "sh"])), "show");
  assert.equal(decode(await bash(["bundle", "show", ""])), "b1");
  assert.equal(decode(await bash(["cas", "ls", "--sort", "s"])), "size");
  // File names where a file is expected.
  Deno.writeTextFileSync(join(dir.path, "data.db"), "");
  assert.equal(decode(await bash(["dat"])), "data.db");
  assert.equal(decode(await bash(["-bo"])), "-box");

  // Without $SHELL naming one, a shell is named explicitly; each script parses in its shell.
  for (const shell of ["zsh", "fish"]) {
    const script = await runSqlink(["completion", shell], { env: { SHELL: "/bin/sh" } });
    assert.equal(script.code, 0, script.stderr);
    assert.match(script.stdout, /sqlink --get-completions/);
    if (!has(shell)) continue;
    const file = join(dir.path, `completion.${shell}`);
    Deno.writeTextFileSync(file, script.stdout);
    const parsed = await new Deno.Command(shell, { args: ["-n", file] }).output();
    assert.ok(parsed.success, `${shell}: ${new TextDecoder().decode(parsed.stderr)}`);
  }
  if (has("fish")) {
    // fish can complete a command line without a terminal: `complete -C`.
    const fish = async (line: string) =>
      decode(
        await new Deno.Command("fish", {
          args: ["-c", `source (sqlink completion fish | psub); complete -C '${line}'`],
          env: { ...env, PATH: path, NO_COLOR: "1" },
          cwd: dir.path,
        }).output(),
      );
    assert.equal(await fish("sqlink cas u"), "uri");
    assert.equal(await fish("sqlink bundle show "), "b1");
    assert.equal(await fish("sqlink dat"), "data.db");
  }
  const bad = await runSqlink(["completion", "tcsh"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error: Unknown shell "tcsh" for completion$/m);
});

Deno.test("--help lists completion beside the other subcommands", async () => {
  const help = await runSqlink(["--help"]);
  assert.match(help.stdout, /^ {3}completion \[SHELL\] +/m);
});
