/**
 * A mistyped subcommand is refused before anything is created; a database name, new or
 * existing, still opens as sqlite3 would open it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runSqlink, tempDir } from "../helpers/cli.ts";

Deno.test("a near miss of a subcommand says what was meant and creates nothing", async () => {
  using dir = tempDir();
  const cases: [string[], RegExp][] = [
    [["bundles", "list"], /^hint: Did you mean "sqlink bundle list"\?/m],
    [["bundel", "show", "b"], /^hint: Did you mean "sqlink bundle show b"\?/m],
    [["cass", "ls"], /^hint: Did you mean "sqlink cas ls"\?/m],
    [["verison"], /^hint: Did you mean "sqlink version"\?/m],
    [
      ["ls"],
      /^hint: Did you mean "sqlink cas ls" or "sqlink bundle ls" or "sqlink remote ls" or "sqlink ext ls"\?/m,
    ],
    [["install", "x"], /^hint: Load an extension with `sqlink --load FILE`/m],
  ];
  for (const [args, hint] of cases) {
    const result = await runSqlink(args, { cwd: dir.path });
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(
      result.stderr,
      new RegExp(`^error: "${args[0]}" is not a sqlink command, and no file has that name\n`),
    );
    assert.match(result.stderr, hint);
    assert.match(result.stderr, new RegExp(`write \\./${args[0]}\n$`));
    assert.equal(result.stdout, "");
  }
  assert.deepEqual([...Deno.readDirSync(dir.path)], [], "no file was created");
});

Deno.test("database names still open: new ones, existing ones, and ./WORD", async () => {
  using dir = tempDir();
  for (const name of ["newdb.sqlite", "mydb", "./bundles"]) {
    const result = await runSqlink([name, "select 1"], { cwd: dir.path });
    assert.equal(result.code, 0, `${name}: ${result.stderr}`);
    assert.equal(result.stdout, "1\n");
  }
  // An existing file named like a near miss is a database, as sqlite3 would have it.
  Deno.writeTextFileSync(join(dir.path, "install"), "");
  const existing = await runSqlink(["install", "select 2"], { cwd: dir.path });
  assert.equal(existing.code, 0, existing.stderr);
  assert.equal(existing.stdout, "2\n");
  assert.deepEqual(
    [...Deno.readDirSync(dir.path)].map((e) => e.name).sort(),
    ["bundles", "install", "mydb", "newdb.sqlite"],
  );
});
