/**
 * `sqlink web [--port N] [--host ADDR]`: serve the browser page (lib/web/) on loopback, where
 * this browser's own cas-cache (sqlite-wasm in OPFS) is shown, imported into and exported
 * from. It runs until interrupted.
 */
import { serveWeb } from "../lib/web/server.ts";
import { UsageError } from "../lib/errors.ts";
import { countArg } from "./numeric.ts";
import { line } from "./output.ts";

/** The port when none is given. */
export const DEFAULT_PORT = 8700;

/** Run `sqlink web`. */
export async function web(argv: { port?: string; host?: string }): Promise<void> {
  const port = countArg(argv.port, "--port") ?? DEFAULT_PORT;
  if (port > 65535) {
    throw new UsageError(`--port takes a port number up to 65535, not ${port}`);
  }
  const server = await serveWeb({ port, hostname: argv.host });
  line(`serving the sqlink cas-cache page at ${server.url} (Ctrl-C stops)`);
  const stop = () => {
    server.close().finally(() => Deno.exit(0));
  };
  Deno.addSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
  await new Promise(() => {});
}
