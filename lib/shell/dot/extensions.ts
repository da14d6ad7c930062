/**
 * `.load FILE ?ENTRY?` and `.extensions`: extensions through the cas-cache (SPEC §5). The
 * machinery (cas-cache, materializing, loading) is imported only when one of them runs.
 */
import { cacheRoot } from "../../paths.ts";
import type { DotCommand, DotContext } from "./registry.ts";

/** The session's extension set, created on first use. */
async function extensionSet(ctx: DotContext) {
  if (ctx.host.extensions === null) {
    const { ExtensionSet } = await import("../../ext/loaded.ts");
    ctx.host.extensions = new ExtensionSet();
  }
  return ctx.host.extensions;
}

const loadCommand: DotCommand = {
  name: "load",
  args: "FILE ?ENTRY?",
  summary: "Load an extension library (through the cas-cache)",
  details: [
    "Hashes FILE, keeps it in the cas-cache, loads the verified copy, and loads it",
    "again into every database opened later with .open. ENTRY names the entry point.",
    "FILE may be the name of an installed extension (sqlink ext add) instead of a file.",
  ],
  async run(ctx, args) {
    if (args.length < 1 || args.length > 2) {
      ctx.state.stderr.write("Usage: .load FILE ?ENTRY?\n");
      return 1;
    }
    const [{ loadExtensionFile }, { cachedByName }, { openCas }] = await Promise.all([
      import("../../ext/load.ts"),
      import("../../ext/named.ts"),
      import("../../cas/service.ts"),
    ]);
    const set = await extensionSet(ctx);
    // A name that is no file may be an extension the lock file knows: fetched first.
    await ctx.host.fetchNamed?.([args[0]]);
    const outcome = loadExtensionFile(
      { cas: openCas(), root: cacheRoot(), db: ctx.state.db, set },
      { path: args[0], entryPoint: args[1] },
      cachedByName(openCas()),
    );
    // A file new to the cache goes to the team's remotes too (SPEC §10 write-through).
    if (outcome.added) await ctx.host.shareBlobs?.([outcome.extension.blake3]);
    return 0;
  },
};

const extensionsCommand: DotCommand = {
  name: "extensions",
  args: "",
  summary: "List loaded extensions: hash, origin, entry point, functions and modules",
  minPrefix: 3,
  async run(ctx, args) {
    if (args.length > 0) {
      ctx.state.stderr.write("Usage: .extensions\n");
      return 1;
    }
    const members = ctx.host.extensions?.members ?? [];
    if (members.length === 0) {
      ctx.state.out.write("No extensions are loaded; load one with .load FILE\n");
      return 0;
    }
    const { effectiveEntryPoint, registeredBy } = await import("../../ext/registered.ts");
    const added = registeredBy(members);
    for (const ext of members) {
      const { functions, modules } = added.get(ext.name)!;
      const entry = effectiveEntryPoint(ext);
      ctx.state.out.write(
        `${ext.name}  blake3:${ext.blake3.slice(0, 12)}  ${ext.origin}\n` +
          `  entry point: ${entry}${ext.entryPoint === null ? " (default)" : ""}\n` +
          `  functions:   ${list(functions)}\n` +
          `  modules:     ${list(modules)}\n`,
      );
    }
    return 0;
  },
};

function list(names: string[]): string {
  return names.length === 0 ? "(none)" : `${names.join(" ")} (${names.length})`;
}

/** The extension dot-commands. */
export const extensionCommands: DotCommand[] = [loadCommand, extensionsCommand];
