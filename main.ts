/** sqlink's entry point: it only hands the command line over (see commands/main.ts). */
import { main } from "./commands/main.ts";

try {
  Deno.exit(await main(Deno.args));
} catch (err) {
  // Whatever escaped is reported as one plain message: Deno's own report of an uncaught
  // error is coloured even when stderr is a file or a pipe.
  const { reportError } = await import("./commands/output.ts");
  Deno.exit(reportError(err));
}
