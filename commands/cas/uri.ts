/** `sqlink cas uri set|rm|ls`: name artifacts with URIs such as `extension:vec0`. */
import { checkUri } from "../../lib/cas/refs.ts";
import { openCas } from "../../lib/cas/service.ts";
import type { CasArgs } from "../options.ts";
import { formatTime, line, out, printJson, table } from "../output.ts";

interface UriArgs extends CasArgs {
  uri: string;
  ref?: string;
}

/** Run the command with its parsed arguments. */
export function uriSet(argv: UriArgs): void {
  const uri = checkUri(String(argv.uri));
  const { blake3, previous } = openCas({ cas: argv.cas }).setUri(uri, String(argv.ref));
  if (argv.json) printJson({ ok: true, uri, blake3, previous: previous ?? null });
  else line(`${uri} -> ${blake3}${previous && previous !== blake3 ? ` (was ${previous})` : ""}`);
}

/** Run the command with its parsed arguments. */
export function uriRm(argv: UriArgs): void {
  const uri = checkUri(String(argv.uri));
  const blake3 = openCas({ cas: argv.cas }).removeUri(uri);
  if (argv.json) printJson({ ok: true, uri, blake3 });
  else line(`removed ${uri} (was ${blake3})`);
}

/** Run the command with its parsed arguments. */
export function uriLs(argv: UriArgs): void {
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
}
