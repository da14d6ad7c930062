/**
 * `sqlink bundle …`: saved extension sets, for people and scripts (SPEC §6.3). This module
 * only declares the commands; each one's code loads when it is named.
 */
import type { CommandSpec } from "./command_line.ts";
import { GRANT, REMOTE_OPTIONS, TARGET } from "./options.ts";

const REF = { describe: "Bundle name or set hash prefix", complete: "bundles" } as const;
/** The `bundle` command group. */
export const bundleCommand: CommandSpec = {
  name: "bundle",
  describe: "Save, list, show, delete and bake bundles: named sets of extensions",
  demand: "Name a bundle subcommand: save, list, show, delete, gc, build, push or pull",
  commands: [
    {
      name: "save",
      args: "<name> <members..>",
      describe:
        "Save extensions as a bundle: each MEMBER a library file or an extension:<name> URI, in load order",
      positionals: {
        name: { describe: "The bundle's name" },
        members: { describe: "Library files or extension:<name> URIs", complete: "files" },
      },
      options: {
        build: {
          type: "boolean",
          default: true,
          describe: "Bake the bundle too when granted spawn-build (--no-build: never)",
        },
        grant: GRANT,
        ...REMOTE_OPTIONS,
      },
      run: async (argv) => (await import("./bundle/save.ts")).save(argv as never),
    },
    {
      name: "list",
      aliases: ["ls"],
      describe: "List bundles: name, set hash, members, binaries, last use",
      run: async (argv) => (await import("./bundle/list.ts")).list(argv as never),
    },
    {
      name: "show",
      args: "<ref>",
      describe: "Show a bundle (by name or set hash prefix): members in load order, binaries",
      positionals: { ref: REF },
      run: async (argv) => (await import("./bundle/show.ts")).show(argv as never),
    },
    {
      name: "delete",
      args: "<name>",
      aliases: ["rm"],
      describe: "Delete a bundle (its blobs stay, evictable unless another bundle pins them)",
      positionals: { name: REF },
      run: async (argv) => (await import("./bundle/delete.ts")).deleteCmd(argv as never),
    },
    {
      name: "gc",
      describe: "Drop bundles beyond the N most recently used, or unused for longer than AGE",
      options: {
        keep: { type: "string", describe: "Keep the N most recently used bundles" },
        "older-than": {
          type: "string",
          describe: "Drop bundles unused for longer than AGE (45s, 90m, 12h, 30d, 2w)",
        },
      },
      run: async (argv) => (await import("./bundle/gc.ts")).gc(argv as never),
    },
    {
      name: "build",
      args: "<ref>",
      describe:
        "Bake a bundle into one sqlink executable, or reuse the one already baked (needs --grant spawn-build)",
      positionals: { ref: REF },
      options: { target: TARGET, grant: GRANT },
      run: async (argv) => (await import("./bundle/build.ts")).build(argv as never),
    },
    {
      name: "push",
      args: "<name>",
      describe:
        "Upload a bundle to the read-write remotes: missing members, its manifest and refs/bundles/NAME",
      positionals: { name: { describe: "A bundle name or hash", complete: "bundles" } },
      options: REMOTE_OPTIONS,
      examples: [["sqlink bundle push analytics", "Share a bundle with the team"]],
      run: async (argv) => (await import("./bundle/push.ts")).push(argv as never),
    },
    {
      name: "pull",
      args: "<ref>",
      describe:
        "Fetch a bundle from the remotes by name or manifest SHA-256: only the members this cache lacks",
      positionals: {
        ref: { describe: "A bundle name (refs/bundles/NAME) or its manifest's SHA-256" },
      },
      options: {
        as: {
          type: "string",
          describe: "Save the bundle under this name instead of the manifest's",
        },
        ...REMOTE_OPTIONS,
      },
      examples: [["sqlink bundle pull analytics", "Warm a CI runner's cache"]],
      run: async (argv) => (await import("./bundle/pull.ts")).pull(argv as never),
    },
  ],
};
