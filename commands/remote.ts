/**
 * `sqlink remote …`: the remote caches behind the local one (SPEC §10). This module only
 * declares the commands; each one's code loads when it is named.
 */
import type { CommandSpec } from "./command_line.ts";
import { REMOTE_OPTIONS } from "./options.ts";

/** The `remote` command group. */
export const remoteCommand: CommandSpec = {
  name: "remote",
  describe: "Configure remote caches (http(s) or s3) shared by a team",
  demand: "Name a remote subcommand: add, ls or rm",
  commands: [
    {
      name: "add",
      args: "<name> <url>",
      describe: "Add a remote: http(s)://HOST/PREFIX or s3://BUCKET/PREFIX?endpoint=…&region=…",
      positionals: { name: { describe: "A short name" }, url: { describe: "The remote's URL" } },
      options: {
        "read-only": {
          type: "boolean",
          default: false,
          describe: "Only read from it (nothing is uploaded)",
        },
        "connect-timeout": {
          type: "string",
          describe: "Milliseconds to wait for a connection (default 2000)",
        },
        "operation-timeout": {
          type: "string",
          describe: "Milliseconds a request may go without progress (default 60000)",
        },
      },
      examples: [
        [
          "sqlink remote add team https://cache.example/sqlink",
          "Share blobs through a WebDAV or bazel-remote server",
        ],
        [
          "sqlink remote add mirror 's3://bucket/sqlink?endpoint=https://minio.example&region=eu-1' --read-only",
          "Read from an S3-compatible bucket",
        ],
      ],
      run: async (argv) => (await import("./remote/add.ts")).add(argv as never),
    },
    {
      name: "ls",
      describe: "List the remotes in effect, in the order they are asked",
      options: REMOTE_OPTIONS,
      run: async (argv) => (await import("./remote/ls.ts")).ls(argv as never),
    },
    {
      name: "rm",
      args: "<name>",
      describe: "Remove a remote from the config file (nothing on the remote changes)",
      positionals: { name: { describe: "The remote's name" } },
      run: async (argv) => (await import("./remote/rm.ts")).rm(argv as never),
    },
  ],
};
