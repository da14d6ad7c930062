/** `sqlink remote add NAME URL [--read-only]`: remember a remote in the config file. */
// @ts-types="@types/yargs"
import type { CommandModule } from "yargs";
import { addRemote, configPath } from "../../lib/remote/config.ts";
import { label } from "../../lib/remote/spec.ts";
import { parseCount } from "../../lib/numbers.ts";
import type { CasArgs } from "../cas.ts";
import { line, printJson } from "../output.ts";
import { remoteJson } from "./ls.ts";

interface AddArgs extends CasArgs {
  name: string;
  url: string;
  "read-only": boolean;
  "connect-timeout"?: string;
  "operation-timeout"?: string;
}

/** The add subcommand. */
export const addCommand: CommandModule<CasArgs, AddArgs> = {
  command: "add <name> <url>",
  describe: "Add a remote: http(s)://HOST/PREFIX or s3://BUCKET/PREFIX?endpoint=…&region=…",
  builder: (y) =>
    y.positional("name", { type: "string", demandOption: true, describe: "A short name" })
      .positional("url", { type: "string", demandOption: true, describe: "The remote's URL" })
      .option("read-only", {
        type: "boolean",
        default: false,
        describe: "Only read from it (nothing is uploaded)",
      })
      .option("connect-timeout", {
        type: "string",
        requiresArg: true,
        describe: "Milliseconds to wait for a connection (default 2000)",
      })
      .option("operation-timeout", {
        type: "string",
        requiresArg: true,
        describe: "Milliseconds a request may go without progress (default 60000)",
      })
      .example(
        "sqlink remote add team https://cache.example/sqlink",
        "Share blobs through a WebDAV or bazel-remote server",
      )
      .example(
        "sqlink remote add mirror 's3://bucket/sqlink?endpoint=https://minio.example&region=eu-1' --read-only",
        "Read from an S3-compatible bucket",
      ) as never,
  handler: (argv) => {
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
  },
};
