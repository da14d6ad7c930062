/** sqlite3's command-line grammar: database, SQL arguments, options with one or two dashes. */
import assert from "node:assert/strict";
import { SqlinkError } from "../../lib/errors.ts";
import { dotCommandWords, resolveBackslashes } from "../../lib/shell/dot/line.ts";
import { parseShellArgs } from "../../lib/shell/options.ts";

Deno.test("parseShellArgs: the first plain word is the database, later ones are SQL", () => {
  const args = parseShellArgs(["-csv", "db.sqlite", "select 1", ".tables"]);
  assert.equal(args.dbPath, "db.sqlite");
  assert.deepEqual(args.commands, ["select 1", ".tables"]);
  assert.deepEqual(args.steps, [{ kind: "option", name: "-csv" }]);
  assert.equal(parseShellArgs([]).dbPath, null);
  assert.equal(parseShellArgs([]).noArguments, true);
});

Deno.test("parseShellArgs: option values are not file names; -- is the same as -", () => {
  const args = parseShellArgs(["--separator", "x", "-cmd", "select 1", "--init", "rc", "db"]);
  assert.equal(args.dbPath, "db");
  assert.equal(args.initFile, "rc");
  assert.deepEqual(args.steps, [
    { kind: "option", name: "-separator", value: "x" },
    { kind: "cmd", text: "select 1" },
  ]);
  const flags = parseShellArgs(["--bail", "-readonly", "--batch", "db"]);
  assert.deepEqual([flags.bail, flags.readOnly, flags.batch], [true, true, true]);
});

Deno.test("parseShellArgs: unknown options wait for the second pass; missing values fail now", () => {
  assert.deepEqual(parseShellArgs(["--frobnicate"]).steps, [{
    kind: "unknown",
    name: "-frobnicate",
  }]);
  assert.throws(
    () => parseShellArgs(["-nullvalue"]),
    (e) => e instanceof SqlinkError && e.message === "missing argument to -nullvalue",
  );
});

Deno.test("dotCommandWords: quotes and backslashes as sqlite3 reads them", () => {
  assert.deepEqual(dotCommandWords(".print a  'b c' \"d\\te\" f\\ng"), [
    "print",
    "a",
    "b c",
    "d\te",
    "f\ng",
  ]);
  assert.deepEqual(dotCommandWords(".separator '\\t'"), ["separator", "\\t"]);
  assert.deepEqual(dotCommandWords('.mode "unterminated'), ["mode", "unterminated"]);
  assert.deepEqual(dotCommandWords("."), []);
  assert.equal(resolveBackslashes("\\101\\x"), "Ax");
});
