/**
 * Unit tests of the numbers people type (lib/numbers.ts, lib/size.ts, the bundle age): whole
 * numbers within 2^53-1 or one usage error that names where the text came from.
 */
import assert from "node:assert/strict";
import { UsageError } from "../lib/errors.ts";
import { MAX_WHOLE, parseCount, singleValue } from "../lib/numbers.ts";
import { parseBytes } from "../lib/size.ts";
import { parseAge } from "../lib/bundle/registry.ts";

function refused(fn: () => unknown, message: RegExp): void {
  assert.throws(
    fn,
    (err) => err instanceof UsageError && err.exitCode === 2 && message.test(err.message),
  );
}

Deno.test("parseCount takes decimal digits up to 2^53-1 and nothing else", () => {
  assert.equal(parseCount("0", "--limit"), 0);
  assert.equal(parseCount("010", "--limit"), 10);
  assert.equal(parseCount(String(MAX_WHOLE), "--limit"), MAX_WHOLE);
  for (
    const text of [
      "1e99",
      "-1",
      "+1",
      "1.5",
      "1.",
      "NaN",
      "Infinity",
      "0x10",
      "0b1",
      "",
      " ",
      " 1",
      "1 ",
      "abc",
      "9007199254740992",
      "18446744073709551616",
      "١",
    ]
  ) {
    refused(
      () => parseCount(text, "--offset"),
      new RegExp(
        `^Invalid --offset "${
          RegExp.escape(text)
        }": expected a whole number from 0 to 9007199254740991$`,
      ),
    );
  }
  assert.equal(singleValue("3", "--keep"), "3");
  refused(() => singleValue(["1", "2"], "--keep"), /^Too many values for --keep: 1, 2$/);
});

Deno.test("parseBytes refuses sizes past 2^53-1 bytes once the unit is applied", () => {
  assert.equal(parseBytes("0"), 0);
  assert.equal(parseBytes("1.5KiB"), 1536);
  assert.equal(parseBytes("512MiB"), 512 * 1024 ** 2);
  assert.equal(parseBytes("9007199254740991"), MAX_WHOLE);
  assert.equal(parseBytes("8191TiB"), 8191 * 1024 ** 4);
  for (const text of ["9007199254740992", "18446744073709551616", "8192TiB", "9007199255MB"]) {
    refused(
      () => parseBytes(text, "X"),
      /^Invalid X ".*": expected at most 9007199254740991 bytes$/,
    );
  }
  for (const text of ["1e3", "-1", "1.5", "1.5B", "", "0x10", "Infinity", "lots"]) {
    refused(() => parseBytes(text, "X"), /^Invalid X ".*": expected a number of bytes/);
  }
});

Deno.test("parseAge refuses an age past 2^53-1 ms", () => {
  assert.equal(parseAge("30d"), 30 * 86_400_000);
  assert.equal(parseAge("104249991d"), 104249991 * 86_400_000);
  refused(
    () => parseAge("104249992d", "--older-than"),
    /^Invalid --older-than "104249992d": expected an age of at most 104249991d$/,
  );
  refused(
    () => parseAge("1.5d", "--older-than"),
    /^Invalid --older-than "1.5d": expected a whole number/,
  );
});
