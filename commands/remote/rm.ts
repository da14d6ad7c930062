/** `sqlink remote rm NAME`: forget a remote. */
import { removeRemote } from "../../lib/remote/config.ts";
import { label } from "../../lib/remote/spec.ts";
import type { CasArgs } from "../options.ts";
import { line, printJson } from "../output.ts";
import { remoteJson } from "./ls.ts";

interface RmArgs extends CasArgs {
  name: string;
}

/** Run `sqlink remote rm` with its parsed arguments. */
export function rm(argv: RmArgs): void {
  const spec = removeRemote(String(argv.name));
  if (argv.json) printJson({ ok: true, removed: remoteJson(spec) });
  else line(`removed remote ${label(spec)}`);
}
