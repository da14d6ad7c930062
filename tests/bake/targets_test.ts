/** The targets a sqlink can be built for (lib/bake/targets.ts). */
import assert from "node:assert/strict";
import { UsageError } from "../../lib/errors.ts";
import { checkTarget, programName, targetBuild, TARGETS } from "../../lib/bake/targets.ts";

Deno.test("checkTarget accepts Deno's five targets", () => {
  assert.equal(TARGETS.length, 5);
  for (const target of TARGETS) assert.equal(checkTarget(target), target);
  assert.ok((TARGETS as readonly string[]).includes(Deno.build.target), "this machine is one");
});

Deno.test("checkTarget refuses anything else as a usage error listing the five", () => {
  for (const bad of ["", "x86_64", "riscv64gc-unknown-linux-gnu", "X86_64-UNKNOWN-LINUX-GNU"]) {
    assert.throws(() => checkTarget(bad), (err) => {
      assert.ok(err instanceof UsageError, String(err));
      assert.equal(err.exitCode, 2);
      assert.equal(err.message, `Unknown target "${bad}"`);
      for (const target of TARGETS) assert.ok(err.hint?.includes(target), err.hint);
      return true;
    });
  }
});

Deno.test("targetBuild names the OS and CPU as Deno.build does", () => {
  assert.deepEqual(targetBuild("x86_64-unknown-linux-gnu"), { arch: "x86_64", os: "linux" });
  assert.deepEqual(targetBuild("aarch64-unknown-linux-gnu"), { arch: "aarch64", os: "linux" });
  assert.deepEqual(targetBuild("x86_64-apple-darwin"), { arch: "x86_64", os: "darwin" });
  assert.deepEqual(targetBuild("aarch64-apple-darwin"), { arch: "aarch64", os: "darwin" });
  assert.deepEqual(targetBuild("x86_64-pc-windows-msvc"), { arch: "x86_64", os: "windows" });
  assert.deepEqual(targetBuild(checkTarget(Deno.build.target)), {
    arch: Deno.build.arch,
    os: Deno.build.os,
  });
});

Deno.test("programName adds .exe on Windows only", () => {
  assert.equal(programName("x86_64-unknown-linux-gnu"), "sqlink");
  assert.equal(programName("aarch64-apple-darwin"), "sqlink");
  assert.equal(programName("x86_64-pc-windows-msvc"), "sqlink.exe");
  assert.equal(programName("x86_64-pc-windows-msvc", "hello"), "hello.exe");
  assert.equal(
    programName("x86_64-apple-darwin", "sqlink-x86_64-apple-darwin"),
    "sqlink-x86_64-apple-darwin",
  );
});
