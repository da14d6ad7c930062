/** `sqlink cas uri set|rm|ls`: name artifacts with URIs such as `extension:vec0`. */
// @ts-types="@types/yargs"
import type { CommandModule } from "yargs";
import { checkUri } from "../../lib/cas/refs.ts";
import { openCas } from "../../lib/cas/service.ts";
import type { CasArgs } from "../cas.ts";
import { formatTime, line, out, printJson, table } from "../output.ts";

interface UriArgs extends CasArgs {
  uri: string;
  ref?: string;
}

const setCommand: CommandModule<CasArgs, UriArgs> = {
  command: "set <uri> <ref>",
  describe: "Bind URI to an artifact (rebinding it if it pointed elsewhere)",
  builder: (y) =>
    y.positional("uri", { type: "string", demandOption: true })
      .positional("ref", {
        type: "string",
        demandOption: true,
        describe: "Hash, prefix or URI",
      }) as never,
  handler: (argv) => {
    const uri = checkUri(String(argv.uri));
    const { blake3, previous } = openCas({ cas: argv.cas }).setUri(uri, String(argv.ref));
    if (argv.json) printJson({ ok: true, uri, blake3, previous: previous ?? null });
    else line(`${uri} -> ${blake3}${previous && previous !== blake3 ? ` (was ${previous})` : ""}`);
  },
};

const rmCommand: CommandModule<CasArgs, UriArgs> = {
  command: "rm <uri>",
  describe: "Remove a URI binding (the artifact stays)",
  builder: (y) => y.positional("uri", { type: "string", demandOption: true }) as never,
  handler: (argv) => {
    const uri = checkUri(String(argv.uri));
    const blake3 = openCas({ cas: argv.cas }).removeUri(uri);
    if (argv.json) printJson({ ok: true, uri, blake3 });
    else line(`removed ${uri} (was ${blake3})`);
  },
};

const lsCommand: CommandModule<CasArgs, UriArgs> = {
  command: "ls [ref]",
  describe: "List URI bindings, all or those of one artifact",
  builder: (y) => y.positional("ref", { type: "string", describe: "Hash, prefix or URI" }) as never,
  handler: (argv) => {
    const bindings = openCas({ cas: argv.cas }).uris(
      argv.ref === undefined ? undefined : String(argv.ref),
    );
    if (argv.json) {
      printJson({ ok: true, uris: bindings });
    } else if (bindings.length === 0) {
      line("No URIs.");
    } else {
      out(table(
        ["URI", "BLAKE3", "LAST USED"],
        bindings.map((b) => [b.uri, b.blake3, formatTime(b.lastUsedAt)]),
      ));
    }
  },
};

/** The uri subcommand group. */
export const uriCommand: CommandModule<CasArgs, CasArgs> = {
  command: "uri",
  describe: "Manage URIs: set, rm, ls",
  builder: (y) =>
    y.command(setCommand).command(rmCommand).command(lsCommand)
      .demandCommand(1, "Name a uri subcommand: set, rm or ls") as never,
  handler: () => {},
};
