/** The tar reader against archives made by the system's `tar`, and damaged ones. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../helpers/cli.ts";
import { gunzip, readTar } from "../../lib/install/tar.ts";
import { SqlinkError } from "../../lib/errors.ts";

async function tarOf(dir: string, format: string): Promise<Uint8Array> {
  const out = await new Deno.Command("tar", {
    args: [`--format=${format}`, "-czf", "out.tgz", "package"],
    cwd: dir,
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return Deno.readFileSync(join(dir, "out.tgz"));
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as SqlinkError).code;
  }
  return undefined;
}

Deno.test("readTar: ustar, GNU long names and pax paths, with each file's bytes", async () => {
  using dir = tempDir();
  const deep = `lib/${"d".repeat(60)}/${"e".repeat(60)}`;
  Deno.mkdirSync(join(dir.path, "package", deep), { recursive: true });
  const big = new Uint8Array(70_000).map((_, i) => i % 251);
  Deno.writeFileSync(join(dir.path, "package", deep, "lines0.so"), big);
  Deno.writeTextFileSync(join(dir.path, "package", "package.json"), '{"name":"x"}');
  for (const format of ["ustar", "gnu", "pax"]) {
    const entries = readTar(await gunzip(await tarOf(dir.path, format), "x"), "x");
    const file = entries.find((e) => e.path === `package/${deep}/lines0.so`);
    assert.ok(file, `${format}: ${entries.map((e) => e.path).join(", ")}`);
    assert.equal(file.kind, "file");
    assert.deepEqual(file.bytes, big);
    const json = entries.find((e) => e.path === "package/package.json")!;
    assert.equal(new TextDecoder().decode(json.bytes), '{"name":"x"}');
    assert.ok(entries.some((e) => e.kind === "directory"), format);
  }
});

Deno.test("readTar and gunzip refuse damaged archives with one clear error", async () => {
  using dir = tempDir();
  Deno.mkdirSync(join(dir.path, "package"));
  Deno.writeFileSync(join(dir.path, "package", "vec0.so"), new Uint8Array(5000).fill(7));
  const gz = await tarOf(dir.path, "ustar");
  const tar = await gunzip(gz, "x");
  await assert.rejects(
    () => gunzip(new TextEncoder().encode("not gzip"), "x"),
    /not a valid gzip stream/,
  );
  await assert.rejects(() => gunzip(gz, "x", 1000), /unpacks to more than 1000 bytes/);
  const damaged = tar.slice();
  damaged[10] ^= 0xff;
  assert.equal(code(() => readTar(damaged, "x")), "EBADTAR");
  assert.throws(() => readTar(tar.slice(0, 2048), "x"), /ends inside a member/);
  assert.throws(() => readTar(new Uint8Array(1024), "x"), /holds no files/);
});
