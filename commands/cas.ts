/**
 * `sqlink cas …`: the cas-cache from the command line, for people and CI warm-up scripts.
 * This module only declares the commands; each one's code loads when it is named.
 */
import type { CommandSpec } from "./command_line.ts";
import { REMOTE_OPTIONS } from "./options.ts";

/** `--quiet`: the long operations' progress line is not drawn (it never is when piped). */
const QUIET = {
  type: "boolean",
  alias: "q",
  describe: "Draw no progress line at a terminal",
} as const;

const REF = "A BLAKE3 or SHA-256 hash, blake3:/sha256:<hex>, a unique prefix (≥4), or a URI";

const uriCommand: CommandSpec = {
  name: "uri",
  describe: "Manage URIs: set, rm, ls",
  demand: "Name a uri subcommand: set, rm or ls",
  commands: [
    {
      name: "set",
      args: "<uri> <ref>",
      describe: "Bind URI to an artifact (rebinding it if it pointed elsewhere)",
      positionals: { ref: { describe: "Hash, prefix or URI" } },
      run: async (argv) => (await import("./cas/uri.ts")).uriSet(argv as never),
    },
    {
      name: "rm",
      args: "<uri>",
      describe: "Remove a URI binding (the artifact stays)",
      run: async (argv) => (await import("./cas/uri.ts")).uriRm(argv as never),
    },
    {
      name: "ls",
      args: "[ref]",
      describe: "List URI bindings, all or those of one artifact",
      positionals: { ref: { describe: "Hash, prefix or URI" } },
      run: async (argv) => (await import("./cas/uri.ts")).uriLs(argv as never),
    },
  ],
};

/** The `cas` command group. */
export const casCommand: CommandSpec = {
  name: "cas",
  describe: "Manage the content-addressed cache of extension binaries",
  demand:
    "Name a cas subcommand: put, get, ls, uri, stats, gc, verify, export, import, push or pull",
  commands: [
    {
      name: "put",
      args: "<files..>",
      describe: "Add files to the cache (the same bytes are stored once)",
      positionals: { files: { describe: "Files to add", complete: "files" } },
      options: {
        uri: {
          type: "string",
          describe: "Bind this URI (e.g. extension:vec0) to the file; needs exactly one file",
        },
        quiet: QUIET,
        ...REMOTE_OPTIONS,
      },
      examples: [["sqlink cas put vec0.so --uri extension:vec0", "Add vec0.so and name it"]],
      run: async (argv) => (await import("./cas/put.ts")).put(argv as never),
    },
    {
      name: "get",
      args: "<ref>",
      describe: "Write an artifact's bytes to a file or stdout (re-hashed before use)",
      positionals: { ref: { describe: REF } },
      options: {
        output: { type: "string", alias: "o", describe: "Write to FILE", complete: "files" },
        quiet: QUIET,
        ...REMOTE_OPTIONS,
      },
      examples: [["sqlink cas get extension:vec0 -o vec0.so", "Restore a file by its URI"]],
      run: async (argv) => (await import("./cas/get.ts")).get(argv as never),
    },
    {
      name: "ls",
      describe: "List artifacts",
      options: {
        sort: {
          type: "string",
          choices: ["created", "used", "size"],
          default: "created",
          describe: "Order by",
        },
        desc: { type: "boolean", describe: "Reverse the order" },
        limit: { type: "string", describe: "Show at most N" },
        offset: { type: "string", describe: "Skip the first N" },
      },
      run: async (argv) => (await import("./cas/ls.ts")).ls(argv as never),
    },
    uriCommand,
    {
      name: "stats",
      describe: "Show counts, sizes, pinned bytes, the cap and each remote's counters",
      run: async (argv) => (await import("./cas/stats.ts")).stats(argv as never),
    },
    {
      name: "gc",
      describe: "Evict least recently used artifacts no bundle pins until the cache fits its cap",
      options: {
        "max-bytes": {
          type: "string",
          describe: "Cap for this run (e.g. 512MiB); default $SQLINK_CAS_MAX_BYTES or 1GiB",
        },
        quiet: QUIET,
      },
      run: async (argv) => (await import("./cas/gc.ts")).gc(argv as never),
    },
    {
      name: "verify",
      describe:
        "Re-hash every artifact, materialized copy and baked binary; report damage (exit 1 when any is left)",
      options: {
        repair: {
          type: "boolean",
          describe:
            "Remove corrupt artifacts, dangling URIs, orphan chunks, bad copies and bad binaries",
        },
        quiet: QUIET,
      },
      run: async (argv) => (await import("./cas/verify.ts")).verify(argv as never),
    },
    {
      name: "export",
      args: "<bundle>",
      describe:
        "Write a bundle and its extension binaries to one archive file (signed when $SQLINK_SIGNING_KEY is set)",
      positionals: {
        bundle: {
          describe: "A bundle name, or a unique prefix (≥4) of its set hash",
          complete: "bundles",
        },
      },
      options: {
        output: {
          type: "string",
          alias: "o",
          describe: "The archive file to write (replaced atomically)",
          complete: "files",
        },
        quiet: QUIET,
      },
      examples: [[
        "sqlink cas export analytics -o analytics.sqlink",
        "Share the bundle analytics (import it with `sqlink cas import analytics.sqlink`)",
      ]],
      run: async (argv) => (await import("./cas/export.ts")).exportCas(argv as never),
    },
    {
      name: "import",
      args: "<file>",
      describe:
        "Add a bundle archive's blobs and bundle to the cache, all verified first (signature required when $SQLINK_SIGNING_KEY is set)",
      positionals: {
        file: { describe: "An archive written by `sqlink cas export`", complete: "files" },
      },
      options: {
        as: {
          type: "string",
          describe: "Save the bundle under this name instead of the archive's",
        },
        quiet: QUIET,
      },
      examples: [["sqlink cas import analytics.sqlink", "Warm the cache with a shared bundle"]],
      run: async (argv) => (await import("./cas/import.ts")).importCas(argv as never),
    },
    {
      name: "push",
      args: "[refs..]",
      describe: "Upload blobs the remotes lack (one HEAD per blob, then PUT): REFs or --all",
      positionals: { refs: { describe: REF } },
      options: {
        all: { type: "boolean", default: false, describe: "Push every blob" },
        ...REMOTE_OPTIONS,
      },
      examples: [["sqlink cas push --all", "Share the whole cache with the team"]],
      run: async (argv) => (await import("./cas/push.ts")).push(argv as never),
    },
    {
      name: "pull",
      args: "<refs..>",
      describe:
        "Fetch blobs from the remotes by SHA-256 (sha256:<hex>, or a BLAKE3 a bundle knows), verified",
      positionals: { refs: { describe: "sha256:<hex>, or a BLAKE3 a bundle knows" } },
      options: REMOTE_OPTIONS,
      examples: [["sqlink cas pull sha256:9f86d0…", "Warm the cache with one blob"]],
      run: async (argv) => (await import("./cas/pull.ts")).pull(argv as never),
    },
  ],
};
