/** sqlink's entry point: it only hands the command line over (see commands/main.ts). */
import { main } from "./commands/main.ts";

Deno.exit(await main(Deno.args));
