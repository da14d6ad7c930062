/**
 * `sqlink ext …`: extensions installed by name from where they are published (SPEC §5):
 * `npm:PACKAGE[@RANGE]` (this platform's package of the sqlite-dist family) or a pinned
 * `https://…#sha256=<hex>`. This module only declares the commands; each one's code loads
 * when it is named.
 */
import type { CommandSpec } from "./command_line.ts";

/** The `ext` command group. */
export const extCommand: CommandSpec = {
  name: "ext",
  describe: "Install extensions by name from npm or a pinned https URL",
  demand: "Name an ext subcommand: add, ls, rm or update",
  commands: [
    {
      name: "add",
      args: "<source>",
      describe:
        "Install this platform's build of an extension: npm:PACKAGE[@RANGE] or https://…#sha256=<hex>",
      positionals: {
        source: { describe: "npm:PACKAGE[@RANGE] or https://HOST/PATH#sha256=<hex>" },
      },
      options: {
        name: {
          type: "string",
          describe: "Install it as NAME (default: its file's name, e.g. vec0)",
        },
      },
      examples: [
        ["sqlink ext add npm:sqlite-vec@0.1.6", "Install vec0 from npm for this platform"],
        ["sqlink ext add 'https://example.com/vec0.so#sha256=…'", "Install a pinned download"],
      ],
      run: async (argv) => (await import("./ext/add.ts")).add(argv as never),
    },
    {
      name: "ls",
      describe: "List installed extensions: name, version, origin, hash, whether cached",
      run: async (argv) => (await import("./ext/ls.ts")).ls(argv as never),
    },
    {
      name: "rm",
      args: "<name>",
      describe: "Forget an installed extension (its blob stays, evictable unless a bundle pins it)",
      run: async (argv) => (await import("./ext/rm.ts")).rm(argv as never),
    },
    {
      name: "update",
      args: "[name]",
      describe: "Resolve each installed extension's source again and install what changed",
      run: async (argv) => (await import("./ext/update.ts")).update(argv as never),
    },
  ],
};
