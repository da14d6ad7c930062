/**
 * Sweeping what killed writers left (lib/fs.ts): a temporary sibling goes when its writer
 * is gone (no such process, or a process that started after the file was last written: a
 * reused PID) or when nothing touched it for STALE_TEMP_MS; a live writer's file, this
 * process's own, another target's and anything not named as a temporary file stay.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  newTempSibling,
  STALE_TEMP_MS,
  sweepStaleTemps,
  sweepTempSiblings,
  tempSibling,
} from "../lib/fs.ts";
import { listDir, tempDir } from "./cas/helpers.ts";

/** The PID of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), { args: ["--version"], stdout: "null" }).spawn();
  await child.status;
  return child.pid;
}

/** A process that lives until disposed. */
function liveProcess(): { pid: number } & AsyncDisposable {
  const child = new Deno.Command("sleep", { args: ["60"] }).spawn();
  return {
    pid: child.pid,
    async [Symbol.asyncDispose]() {
      child.kill("SIGKILL");
      await child.status;
    },
  };
}

/** Write `name` in `dir`, last modified `age` ms ago. */
function touch(dir: string, name: string, age = 0): string {
  const path = join(dir, name);
  Deno.writeTextFileSync(path, "partial");
  if (age > 0) {
    const then = new Date(Date.now() - age);
    Deno.utimeSync(path, then, then);
  }
  return name;
}

Deno.test("sweep: a dead writer's temporary file goes, with its -wal, -shm and -journal", async () => {
  using dir = tempDir();
  const dead = await deadPid();
  const gone = ["", "-wal", "-shm", "-journal"].map((suffix) =>
    touch(dir.path, `.out.bin.${dead}.123.tmp${suffix}`)
  );
  const kept = [
    touch(dir.path, "out.bin"),
    touch(dir.path, `.other.bin.${dead}.1.tmp`), // another target's: its own write sweeps it
    touch(dir.path, `.out.bin.${dead}.1.tmpx`), // not a name tempSibling makes
    touch(dir.path, `.out.bin.${dead}.tmp`),
    touch(dir.path, `out.bin.${dead}.1.tmp`),
  ];
  Deno.mkdirSync(join(dir.path, `.out.bin.${dead}.9.tmp`)); // a folder is nobody's temp file
  kept.push(`.out.bin.${dead}.9.tmp`);

  const removed = sweepTempSiblings(join(dir.path, "out.bin"));
  assert.deepEqual(removed.map((p) => p.slice(dir.path.length + 1)).sort(), gone.sort());
  assert.deepEqual(listDir(dir.path), kept.sort());
});

Deno.test("sweep: a live writer's file stays, and so do this process's own", async () => {
  using dir = tempDir();
  await using live = liveProcess();
  const kept = [
    touch(dir.path, `.out.bin.${live.pid}.1.tmp`),
    touch(dir.path, `.out.bin.${live.pid}.1.tmp-wal`),
    touch(dir.path, `.out.bin.${Deno.pid}.2.tmp`),
    // PID 1 has been running since boot: it may have written a file a minute ago.
    touch(dir.path, `.out.bin.1.3.tmp`, 60_000),
  ];
  const mine = tempSibling(join(dir.path, "out.bin"));
  Deno.writeTextFileSync(mine, "being written");
  kept.push(mine.slice(dir.path.length + 1));
  assert.deepEqual(sweepTempSiblings(join(dir.path, "out.bin")), []);
  assert.deepEqual(listDir(dir.path), kept.sort());
});

Deno.test("sweep: a reused PID or a file untouched for hours does not keep it", async () => {
  using dir = tempDir();
  await using live = liveProcess();
  // Written an hour before its PID's process started: another process wrote it.
  touch(dir.path, `.out.bin.${live.pid}.1.tmp`, 60 * 60 * 1000);
  // PID 1 is alive, but no write of sqlink leaves its file alone for STALE_TEMP_MS.
  touch(dir.path, `.out.bin.1.2.tmp`, STALE_TEMP_MS + 60_000);
  // This process's PID on a file older than this process: a reused PID too.
  touch(dir.path, `.out.bin.${Deno.pid}.3.tmp`, 60 * 60 * 1000);
  const removed = sweepTempSiblings(join(dir.path, "out.bin"));
  assert.equal(removed.length, 3, removed.join(", "));
  assert.deepEqual(listDir(dir.path), []);
});

Deno.test("sweep: newTempSibling sweeps, then names a fresh sibling", async () => {
  using dir = tempDir();
  const target = join(dir.path, "vec0.so");
  touch(dir.path, `.vec0.so.${await deadPid()}.77.tmp`);
  const temp = newTempSibling(target);
  assert.match(temp, new RegExp(`/\\.vec0\\.so\\.${Deno.pid}\\.\\d+\\.tmp$`));
  assert.deepEqual(listDir(dir.path), []);
});

Deno.test("sweep: folders go only when asked, grouped by key, judged by the newest entry", async () => {
  using dir = tempDir();
  const dead = await deadPid();
  await using live = liveProcess();
  const stage = join(dir.path, `.stage-${dead}-abc`);
  Deno.mkdirSync(join(stage, "members"), { recursive: true });
  Deno.writeTextFileSync(join(stage, "members", "vec0.so"), "bytes");
  Deno.mkdirSync(join(dir.path, `.stage-${live.pid}-def`));
  const parse = (name: string) => {
    const match = /^(\.stage-(\d+)-[a-z]+)/.exec(name);
    return match ? { pid: Number(match[2]), key: match[1] } : undefined;
  };
  assert.deepEqual(sweepStaleTemps(dir.path, parse), []);
  assert.deepEqual(sweepStaleTemps(dir.path, parse, { folders: true }), [stage]);
  assert.deepEqual(listDir(dir.path), [`.stage-${live.pid}-def`]);

  // One key, two entries: the fresh one keeps the old one too, until both are stale.
  touch(dir.path, `.stage-1-old.a`, STALE_TEMP_MS + 60_000);
  touch(dir.path, `.stage-1-old.b`);
  assert.deepEqual(sweepStaleTemps(dir.path, parse), []);
  const later = Date.now() + STALE_TEMP_MS + 1;
  assert.equal(sweepStaleTemps(dir.path, parse, { now: later }).length, 2);
  assert.deepEqual(sweepStaleTemps(join(dir.path, "missing"), parse), []);
});
