/**
 * An S3-compatible server for the remote tier's tests (npm's s3rver), in a process of its
 * own with its own deno.json and deno.lock: kept out of sqlink's dependency snapshot, which
 * Deno fetches whole on a first run, so sqlink's users never download a test server.
 *
 *   deno run -A --config tools/s3rver/deno.json tools/s3rver/serve.ts DIR BUCKET
 *
 * Prints `listening PORT` on stdout once it serves 127.0.0.1:PORT, and stops when its
 * standard input closes.
 */
import S3rver from "s3rver";

const [directory, bucket] = Deno.args;
if (!directory || !bucket) {
  console.error("usage: serve.ts DIR BUCKET");
  Deno.exit(2);
}
const server = new S3rver({
  address: "127.0.0.1",
  port: 0,
  directory,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
const { port } = await server.run();
console.log(`listening ${port}`);
// Until the test closes our stdin (or goes away).
for await (const _ of Deno.stdin.readable) {
  // Nothing to read; the loop ends at end of input.
}
await server.close();
Deno.exit(0);
