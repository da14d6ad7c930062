/** The history file: where it lives, what goes in, how it is saved. */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  addHistoryEntry,
  defaultHistoryPath,
  loadHistory,
  saveHistory,
} from "../../lib/shell/prompt/history.ts";
import { tempDir } from "../helpers/cli.ts";

function withEnv(vars: Record<string, string | undefined>, fn: () => void): void {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, Deno.env.get(name)]));
  const set = (name: string, value: string | undefined) =>
    value === undefined ? Deno.env.delete(name) : Deno.env.set(name, value);
  try {
    for (const [name, value] of Object.entries(vars)) set(name, value);
    fn();
  } finally {
    for (const [name, value] of Object.entries(saved)) set(name, value);
  }
}

Deno.test("history: SQLINK_HISTORY, else ~/.sqlink_history, else none", () => {
  withEnv({ SQLINK_HISTORY: "/tmp/h", HOME: "/home/x" }, () => {
    assert.equal(defaultHistoryPath(), "/tmp/h");
  });
  withEnv({ SQLINK_HISTORY: undefined, HOME: "/home/x" }, () => {
    assert.equal(defaultHistoryPath(), "/home/x/.sqlink_history");
  });
  withEnv({ SQLINK_HISTORY: "", HOME: undefined, USERPROFILE: undefined }, () => {
    assert.equal(defaultHistoryPath(), null);
  });
});

Deno.test("history: blank lines and repeats in a row are not added", () => {
  const history = ["select 1;"];
  assert.equal(addHistoryEntry(history, "select 1;"), false);
  assert.equal(addHistoryEntry(history, "   "), false);
  assert.equal(addHistoryEntry(history, ""), false);
  assert.equal(addHistoryEntry(history, "select 2;"), true);
  assert.equal(addHistoryEntry(history, "select 1;"), true);
  assert.deepEqual(history, ["select 1;", "select 2;", "select 1;"]);
});

Deno.test("history: load reads one entry per line and keeps the last ones", async () => {
  using dir = tempDir();
  const path = join(dir.path, "history");
  assert.deepEqual(await loadHistory(path), []);
  await Deno.writeTextFile(path, "a\r\n\nb\nc");
  assert.deepEqual(await loadHistory(path), ["a", "b", "c"]);
  assert.deepEqual(await loadHistory(path, 2), ["b", "c"]);
  assert.deepEqual(await loadHistory(dir.path), []);
});

Deno.test("history: save appends to the file as it is now, mode 0600, last N kept", async () => {
  using dir = tempDir();
  const path = join(dir.path, "history");
  assert.equal(await saveHistory(path, ["one", "two"]), true);
  assert.equal(await Deno.readTextFile(path), "one\ntwo\n");
  assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  // Another shell saved meanwhile: its lines stay, and a repeat at the seam is dropped.
  await Deno.writeTextFile(path, "one\ntwo\nother\n");
  assert.equal(await saveHistory(path, ["other", "three"]), true);
  assert.equal(await Deno.readTextFile(path), "one\ntwo\nother\nthree\n");
  assert.equal(await saveHistory(path, ["four", "five"], 3), true);
  assert.equal(await Deno.readTextFile(path), "three\nfour\nfive\n");
  // Nothing new: the file is left alone.
  assert.equal(await saveHistory(join(dir.path, "absent"), []), true);
  assert.deepEqual([...Deno.readDirSync(dir.path)].map((e) => e.name), ["history"]);
});

Deno.test("history: save through a symbolic link writes the file it points to", async () => {
  using dir = tempDir();
  const real = join(dir.path, "real");
  const link = join(dir.path, "link");
  await Deno.writeTextFile(real, "old\n");
  await Deno.symlink(real, link);
  assert.equal(await saveHistory(link, ["new"]), true);
  assert.ok((await Deno.lstat(link)).isSymlink);
  assert.equal(await Deno.readTextFile(real), "old\nnew\n");
});

Deno.test("history: a file that cannot be written is reported, not thrown", async () => {
  using dir = tempDir();
  const blocker = join(dir.path, "file");
  await Deno.writeTextFile(blocker, "");
  assert.equal(await saveHistory(join(blocker, "history"), ["x"]), false);
  assert.equal(await saveHistory(dir.path, ["x"]), false);
  assert.deepEqual([...Deno.readDirSync(dir.path)].map((e) => e.name), ["file"]);
});
