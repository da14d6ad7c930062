/**
 * `.bundle …` in the shell (SPEC §6.3). `save` snapshots this session's loaded extensions
 * (and bakes them when the session was started with `--grant spawn-build`); `load` adds a
 * saved bundle's members to the session; `build`,
 * `list`, `show`, `delete` and `gc` are `sqlink bundle …` itself, run through the shell's
 * output with the session's grants. `.bundle` alone says what this program embeds.
 */
import type { DotCommand } from "../../lib/shell/dot/registry.ts";
import { runScriptCommand, withShellOutput } from "./script.ts";

type Context = Parameters<DotCommand["run"]>[0];

const SAVE_USAGE = "Usage: .bundle save NAME [--no-build] [--json]\n";

/** `.bundle save NAME [--no-build] [--json]`: the loaded extensions, in load order. */
async function save(args: string[], ctx: Context): Promise<0 | 1> {
  const flags = new Set(args.filter((a) => a.startsWith("--")));
  const names = args.filter((a) => !a.startsWith("--"));
  const unknown = [...flags].filter((f) => f !== "--no-build" && f !== "--json");
  if (names.length !== 1 || unknown.length > 0) {
    ctx.state.stderr.write(
      unknown.length > 0
        ? `Error: unknown option ${unknown[0]} for .bundle save\n${SAVE_USAGE}`
        : SAVE_USAGE,
    );
    return 1;
  }
  const set = ctx.host.extensions;
  if (!set || set.members.length === 0) {
    ctx.state.stderr.write(
      "Error: Cannot save a bundle: no extensions are loaded in this session\n" +
        "hint: Load extensions with .load FILE (or start sqlink with --load FILE) first\n",
    );
    return 1;
  }
  const [{ saveAndBake, reportSave }, { openCas }] = await Promise.all([
    import("../bundle/save.ts"),
    import("../../lib/cas/service.ts"),
  ]);
  const noBuild = flags.has("--no-build");
  // Inside withShellOutput, so the build's progress line goes where the shell's errors go.
  await withShellOutput(ctx.state, async () => {
    const outcome = await saveAndBake(openCas(), names[0], set, ctx.host.launch, noBuild);
    await ctx.host.shareBlobs?.(outcome.bundle.members.map((m) => m.contentHash));
    reportSave(outcome, flags.has("--json"));
  });
  return 0;
}

const LOAD_USAGE = "Usage: .bundle load NAME|HASH [--json]\n";

/**
 * `.bundle load NAME|HASH [--json]`: a saved bundle's members into this session, as
 * `--bundle-load` would at start; all or nothing (see loadBundleInto).
 */
async function load(args: string[], ctx: Context): Promise<0 | 1> {
  const json = args.includes("--json");
  const rest = args.filter((a) => a !== "--json");
  if (rest.length !== 1 || rest[0].startsWith("-")) {
    ctx.state.stderr.write(
      rest.some((a) => a.startsWith("-"))
        ? `Error: unknown option ${
          rest.find((a) => a.startsWith("-"))
        } for .bundle load\n${LOAD_USAGE}`
        : LOAD_USAGE,
    );
    return 1;
  }
  const [{ loadBundleInto }, { openCas }, { ExtensionSet }, { cacheRoot }, output] = await Promise
    .all([
      import("../../lib/bundle/launch.ts"),
      import("../../lib/cas/service.ts"),
      import("../../lib/ext/loaded.ts"),
      import("../../lib/paths.ts"),
      import("../output.ts"),
    ]);
  const cas = openCas();
  const set = ctx.host.extensions ?? new ExtensionSet();
  const result = await loadBundleInto(
    { cas, store: () => Promise.resolve(cas), root: cacheRoot() },
    rest[0],
    set,
    ctx.state.db,
  );
  ctx.host.extensions = set;
  const names = (members: { name: string }[]) => members.map((m) => m.name);
  await withShellOutput(ctx.state, () => {
    if (json) {
      output.printJson({
        ok: true,
        bundle: result.bundle.name,
        setHash: result.bundle.setHash,
        loaded: names(result.loaded),
        alreadyLoaded: names(result.alreadyLoaded),
      });
      return;
    }
    const already = result.alreadyLoaded.length > 0
      ? ` (already loaded: ${names(result.alreadyLoaded).join(", ")})`
      : "";
    output.line(
      `loaded bundle "${result.bundle.name}": ${
        result.loaded.length > 0 ? names(result.loaded).join(", ") : "nothing new"
      }${already}`,
    );
  });
  return 0;
}

/** `.bundle` alone: the embedded bundle of a baked program, else how to use `.bundle`. */
function status(ctx: Context): 0 | 1 {
  const embedded = ctx.host.embedded;
  if (!embedded) {
    ctx.state.stderr.write(
      'Usage: .bundle save|load|build|list|show|delete|gc ...  (".help bundle" for details)\n',
    );
    return 1;
  }
  const out = ctx.state.out;
  out.write(`embedded bundle: ${embedded.bundle}\n`);
  out.write(`set hash:        ${embedded.setHash}\n`);
  out.write(`target:          ${embedded.target}\n`);
  out.write(`members:         ${embedded.members.length} (embedded, in load order)\n`);
  for (const [i, m] of embedded.members.entries()) {
    out.write(
      `  ${i + 1}. ${m.name}  blake3 ${m.blake3.slice(0, 16)}  entry ${
        m.entryPoint ?? "default"
      }\n`,
    );
  }
  return 0;
}

/** The `.bundle` dot-command. */
export const bundleDotCommand: DotCommand = {
  name: "bundle",
  args: "SUBCOMMAND ...",
  summary: "Save, bake and manage bundles: named sets of extensions",
  details: [
    "   Subcommands:",
    "     save NAME [--no-build]       Save the loaded extensions as bundle NAME (and bake",
    "                                  it, when sqlink was started with --grant spawn-build)",
    "     load NAME|HASH               Load a saved bundle's members into this session",
    "                                  (all or nothing), as --bundle-load NAME at start",
    "     build NAME [--target X]      Bake NAME into one executable (needs the grant)",
    "     list                         Bundles: name, hash, members, binaries, last use",
    "     show NAME|HASH               Members in load order, binaries",
    "     delete NAME                  Remove a bundle (its blobs become evictable)",
    "     gc --keep N | --older-than 30d   Drop old bundles and their builds",
    "   Every subcommand takes --json.  Start sqlink with --bundle NAME to load one.",
    "   Alone, .bundle shows the bundle a baked sqlink embeds.",
  ],
  async run(ctx, args) {
    if (args.some((a) => /^--?grant(?:=|$)/.test(a))) {
      // A capability belongs to the session, granted by the person who started it.
      const { relaunchCommand } = await import("../../lib/bake/grant.ts");
      ctx.state.stderr.write(
        "Error: Capabilities are granted when sqlink starts, not by a dot-command\n" +
          `hint: Relaunch with: ${relaunchCommand(ctx.host.launch, "spawn-build")}\n`,
      );
      return 1;
    }
    if (args.length === 0) return status(ctx);
    if (args[0] === "save") return await save(args.slice(1), ctx);
    if (args[0] === "load") return await load(args.slice(1), ctx);
    return await runScriptCommand(ctx.state, ["bundle", ...args], ctx.host.launch);
  },
};
