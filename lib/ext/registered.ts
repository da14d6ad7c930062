/**
 * What each loaded extension added to SQLite, for `.extensions`: the difference in
 * `pragma_function_list` and `pragma_module_list` around its load. Worked out on demand in
 * a scratch in-memory connection, loading the set in the session's order, so neither
 * `.load` nor a launch with a bundle pays for it.
 */
import { type ExtensionHost, type LoadedExtension, loadInto, scratchConnection } from "./loaded.ts";
import { derivedEntryPoint } from "./name.ts";

/** The functions and virtual-table modules one extension registered. */
export interface Registered {
  functions: string[];
  modules: string[];
}

function functionKeys(db: ExtensionHost): Set<string> {
  const rows = db.prepare("SELECT name, narg, enc, type FROM pragma_function_list").all();
  return new Set(rows.map((r) => `${r.name}\0${r.narg}\0${r.enc}\0${r.type}`));
}

function moduleNames(db: ExtensionHost): Set<string> {
  return new Set(db.prepare("SELECT name FROM pragma_module_list").all().map((r) => `${r.name}`));
}

/** What each member of `members` registered, keyed by extension name. */
export function registeredBy(members: readonly LoadedExtension[]): Map<string, Registered> {
  const db = scratchConnection(members[0]?.name ?? "extensions");
  const result = new Map<string, Registered>();
  try {
    let functions = functionKeys(db);
    let modules = moduleNames(db);
    for (const ext of members) {
      loadInto(db, ext, `${ext.name} (${ext.origin})`);
      const nowFunctions = functionKeys(db);
      const nowModules = moduleNames(db);
      const added = new Set<string>();
      for (const key of nowFunctions) if (!functions.has(key)) added.add(key.split("\0")[0]);
      result.set(ext.name, {
        functions: [...added].sort(),
        modules: [...nowModules].filter((m) => !modules.has(m)).sort(),
      });
      functions = nowFunctions;
      modules = nowModules;
    }
  } finally {
    db.close();
  }
  return result;
}

/**
 * The entry point SQLite calls for `ext`: the one given to `.load`, else
 * `sqlite3_extension_init` when the library exports it, else the one derived from its name.
 */
export function effectiveEntryPoint(ext: LoadedExtension): string {
  if (ext.entryPoint !== null) return ext.entryPoint;
  try {
    Deno.dlopen(ext.path, { sqlite3_extension_init: { parameters: [], result: "void" } })
      .close();
    return "sqlite3_extension_init";
  } catch {
    return derivedEntryPoint(ext.path);
  }
}
