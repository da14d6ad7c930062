/**
 * The one registry of dot-commands the shell runs. Later features (`.load`, `.bundle`,
 * `.cas`) add their modules here; `.help` lists whatever is registered.
 */
import { backupCommands } from "./backup.ts";
import { dumpCommands } from "./dump.ts";
import { extensionCommands } from "./extensions.ts";
import { helpCommand } from "./help.ts";
import { importCommands } from "./import.ts";
import { limitCommands } from "./limit.ts";
import { modeCommand } from "./mode.ts";
import { outputCommands } from "./output.ts";
import { DotRegistry } from "./registry.ts";
import { indicesCommand, schemaCommands } from "./schema.ts";
import { sessionCommands } from "./session.ts";
import { settingsCommands } from "./settings.ts";

/** A registry holding every built-in dot-command. */
export function builtinRegistry(): DotRegistry {
  const registry = new DotRegistry();
  registry.add(
    ...settingsCommands,
    ...sessionCommands,
    ...outputCommands,
    modeCommand,
    ...schemaCommands,
    { ...indicesCommand, hidden: true },
    ...dumpCommands,
    ...importCommands,
    ...backupCommands,
    ...extensionCommands,
    ...limitCommands,
  );
  registry.add(helpCommand(registry));
  return registry;
}
