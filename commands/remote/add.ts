/** `sqlink remote add NAME URL [--read-only]`: remember a remote in the config file. */
import { addRemote, configPath } from "../../lib/remote/config.ts";
import { label } from "../../lib/remote/spec.ts";
import { parseCount } from "../../lib/numbers.ts";
import type { CasArgs } from "../options.ts";
import { line, printJson } from "../output.ts";
import { remoteJson } from "./ls.ts";

interface AddArgs extends CasArgs {
  name: string;
  url: string;
  "read-only": boolean;
  "connect-timeout"?: string;
  "operation-timeout"?: string;
}

/** Run `sqlink remote add` with its parsed arguments. */
export function add(argv: AddArgs): void {
  const spec = addRemote(String(argv.name), String(argv.url), {
    readOnly: argv["read-only"],
    connectTimeoutMs: argv["connect-timeout"] === undefined
      ? undefined
      : parseCount(argv["connect-timeout"], "--connect-timeout") || undefined,
    operationTimeoutMs: argv["operation-timeout"] === undefined
      ? undefined
      : parseCount(argv["operation-timeout"], "--operation-timeout") || undefined,
  });
  if (argv.json) {
    printJson({ ok: true, config: configPath(), remote: remoteJson(spec) });
    return;
  }
  line(`added remote ${label(spec)}${spec.readOnly ? " (read-only)" : ""}`);
}
