/**
 * The package as JSR would take it: MIT-licensed, the CLI's files only (no tests, no
 * dev-only scripts), `deno publish --dry-run` passing and `deno doc --lint` clean on what
 * it exports (main.ts: the command line is the interface).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "../helpers/cli.ts";

async function deno(args: string[]): Promise<{ code: number; text: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, text: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

Deno.test("deno publish --dry-run publishes the CLI's files under the MIT license", async () => {
  const config = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json")));
  assert.equal(config.license, "MIT");
  assert.match(Deno.readTextFileSync(join(ROOT, "LICENSE")), /^MIT License\n/);
  assert.equal(config.exports, "./main.ts");
  const dry = await deno(["publish", "--dry-run", "--allow-dirty"]);
  assert.equal(dry.code, 0, dry.text);
  const files = [...dry.text.matchAll(/file:\/\/\S+/g)].map((m) =>
    decodeURIComponent(new URL(m[0]).pathname).slice(ROOT.length)
  );
  assert.ok(files.includes("main.ts") && files.includes("LICENSE"), files.join("\n"));
  assert.ok(files.some((f) => f.startsWith("lib/cas/")));
  const extra = files.filter((f) => /^(tests|scripts|\.ci|\.fixtures)\//.test(f));
  assert.deepEqual(extra, []);
  // 166 with the remote tier (lib/remote/, commands/remote/); 195 with installs and the
  // lock file (lib/install/, lib/lock/, commands/ext/, commands/lock/); 214 with the browser
  // page (lib/db/, lib/web/, commands/web.ts, lib/bundle/archive/{contents,build}.ts); 230
  // with the one-pass big put (lib/cas/{file_put,blake3_parallel,blake3_ring,blake3_worker}.ts).
  assert.ok(files.length < 235, `${files.length} files`);
});

Deno.test("deno doc --lint is clean on what the package exports", async () => {
  const lint = await deno(["doc", "--lint", "main.ts"]);
  assert.equal(lint.code, 0, lint.text);
});
