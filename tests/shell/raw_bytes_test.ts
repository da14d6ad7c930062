/**
 * Input bytes that are not UTF-8, side by side with sqlite3: `.print` writes them back as
 * they came and SQL gets them inside string literals, whether the input is a pipe, a file
 * given to `.read`, or a line longer than a read chunk.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { sqlinkCommand, tempDir } from "../helpers/cli.ts";
import { rawBytes, rawText } from "../../lib/shell/raw_text.ts";

/** Run `command` with `input` on stdin; its stdout and stderr as bytes, and its exit code. */
async function feed(command: Deno.Command, input: Uint8Array) {
  const child = command.spawn();
  const writer = child.stdin.getWriter();
  await writer.write(input);
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  return { code, stdout: [...stdout], stderr: new TextDecoder().decode(stderr) };
}

function sqlite3Command(args: string[], cwd: string): Deno.Command {
  return new Deno.Command("sqlite3", {
    args,
    cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  });
}

const SCRIPT = new Uint8Array([
  ...new TextEncoder().encode(".print a"),
  0xff,
  0x62,
  0xc3, // a lead byte with no continuation
  0x0a,
  ...new TextEncoder().encode("select 'x"),
  0xfe,
  ...new TextEncoder().encode("y', length('"),
  0xe9,
  0x74,
  0xe9,
  ...new TextEncoder().encode("'), hex('"),
  0xed,
  0xa0,
  0x80, // an encoded surrogate: invalid UTF-8, three raw bytes
  ...new TextEncoder().encode("');\n.print 😀 "),
  0xf0,
  0x9f,
  0x98, // a truncated four-byte sequence
  0x0a,
  ...new TextEncoder().encode(".print " + "w".repeat(100_000)),
  0x80,
  0x0a,
]);

Deno.test("shell: bytes that are not UTF-8 pass through .print and SQL as sqlite3's do", async () => {
  using dir = tempDir();
  const reference = await feed(sqlite3Command([], dir.path), SCRIPT);
  const ours = await feed(sqlinkCommand([], { stdin: "", cwd: dir.path }), SCRIPT);
  assert.equal(ours.stderr, reference.stderr);
  assert.equal(ours.code, reference.code);
  assert.deepEqual(ours.stdout, reference.stdout);
  // The bytes really are raw: a Latin-1 0xFF, not U+FFFD's EF BF BD.
  assert.deepEqual(reference.stdout.slice(0, 5), [0x61, 0xff, 0x62, 0xc3, 0x0a]);
});

Deno.test("shell: .read of a file with bytes that are not UTF-8 matches sqlite3", async () => {
  using dir = tempDir();
  Deno.writeFileSync(join(dir.path, "raw.sql"), SCRIPT);
  const reference = await feed(
    sqlite3Command([":memory:", ".read raw.sql"], dir.path),
    new Uint8Array(),
  );
  const ours = await feed(
    sqlinkCommand([":memory:", ".read raw.sql"], { stdin: "", cwd: dir.path }),
    new Uint8Array(),
  );
  assert.equal(ours.stderr, reference.stderr);
  assert.equal(ours.code, reference.code);
  assert.deepEqual(ours.stdout, reference.stdout);
});

Deno.test("raw text: every byte string survives rawText then rawBytes", () => {
  const samples = [
    SCRIPT,
    new Uint8Array([0xf0, 0x9f, 0x98, 0x80, 0x80, 0xdc]),
    new Uint8Array(Array.from({ length: 256 }, (_, i) => i)),
    new TextEncoder().encode("plain ✓ 漢字"),
  ];
  for (const bytes of samples) assert.deepEqual(rawBytes(rawText(bytes)), bytes);
  // Valid text decodes as TextDecoder would.
  assert.equal(rawText(new TextEncoder().encode("ünï 😀")), "ünï 😀");
});
