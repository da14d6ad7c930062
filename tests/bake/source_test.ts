/** The source snapshot (lib/bake/source.ts): what it holds, its file format, and its precedence. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../helpers/cli.ts";
import { SqlinkError } from "../../lib/errors.ts";
import {
  decodeSource,
  encodeSource,
  readSource,
  SNAPSHOT_FILE,
  type SourceSnapshot,
  writeSource,
} from "../../lib/bake/source.ts";

function assertNoSource(text: string, message: RegExp): void {
  assert.throws(() => decodeSource(text, "test.snapshot"), (err) => {
    assert.ok(err instanceof SqlinkError, String(err));
    assert.equal(err.code, "ENOSOURCE");
    assert.match(err.message, message);
    assert.ok(err.hint);
    return true;
  });
}

function snapshotText(files: Record<string, string>, format = "sqlink-source/1"): string {
  return JSON.stringify({ format, files });
}

const MINIMAL = { "main.ts": "console.log(1);\n", "deno.json": "{}\n" };

Deno.test("readSource: from a checkout, the program's files and nothing else", () => {
  const source = readSource();
  const paths = [...source.files.keys()];
  for (
    const file of ["main.ts", "deno.json", "deno.lock", "lib/errors.ts", "lib/bake/source.ts"]
  ) {
    assert.ok(source.files.has(file), `${file} is in the source`);
  }
  assert.ok(paths.some((p) => p.startsWith("commands/")), "commands/ is in the source");
  for (const path of paths) {
    assert.ok(!/^(tests|scripts)\//.test(path), `${path} does not belong in a build`);
    assert.ok(!path.includes("\\"), `${path} uses / separators`);
  }
  assert.equal(
    source.files.get("main.ts"),
    Deno.readTextFileSync(new URL("../../main.ts", import.meta.url)),
  );
});

Deno.test("encodeSource and decodeSource round-trip", () => {
  const source = readSource();
  const text = encodeSource(source);
  const back = decodeSource(text, "round trip");
  assert.deepEqual(back.files, source.files);
  assert.equal(encodeSource(back), text, "the encoding is stable");
});

Deno.test("decodeSource refuses what is not a sound snapshot", () => {
  assertNoSource("not json at all", /"test\.snapshot" is not a sqlink source snapshot/);
  assertNoSource(snapshotText(MINIMAL, "sqlink-source/0"), /is not a sqlink source snapshot/);
  assertNoSource(JSON.stringify({ format: "sqlink-source/1" }), /is not a sqlink source snapshot/);
  assertNoSource(snapshotText({ ...MINIMAL, "../evil.ts": "" }), /bad entry "\.\.\/evil\.ts"/);
  assertNoSource(snapshotText({ ...MINIMAL, "lib/../../evil.ts": "" }), /bad entry/);
  assertNoSource(snapshotText({ ...MINIMAL, "/etc/evil.ts": "" }), /bad entry "\/etc\/evil\.ts"/);
  assertNoSource(snapshotText({ ...MINIMAL, "lib\\evil.ts": "" }), /bad entry/);
  assertNoSource(
    JSON.stringify({ format: "sqlink-source/1", files: { ...MINIMAL, "a.ts": 1 } }),
    /bad entry "a\.ts"/,
  );
  assertNoSource(snapshotText({ "deno.json": "{}" }), /lacks main\.ts/);
});

Deno.test("readSource prefers a snapshot to the tree beside it", () => {
  using dir = tempDir();
  const source: SourceSnapshot = readSource();
  writeSource(dir.path, source);
  assert.ok(Deno.statSync(join(dir.path, SNAPSHOT_FILE)).isFile);
  assert.equal(Deno.readTextFileSync(join(dir.path, "main.ts")), source.files.get("main.ts"));
  assert.deepEqual(readSource(dir.path).files, source.files);

  // A file added to the written tree is not source while the snapshot is there…
  Deno.writeTextFileSync(join(dir.path, "lib", "zz_marker.ts"), "export const marker = 1;\n");
  assert.ok(!readSource(dir.path).files.has("lib/zz_marker.ts"));

  // …and is once the snapshot is gone and the tree is walked.
  Deno.removeSync(join(dir.path, SNAPSHOT_FILE));
  const walked = readSource(dir.path);
  assert.equal(walked.files.get("lib/zz_marker.ts"), "export const marker = 1;\n");
  assert.equal(walked.files.size, source.files.size + 1);
});
