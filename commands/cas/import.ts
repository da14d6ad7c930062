/** `sqlink cas import FILE [--as NAME]`: add a bundle archive to the cas-cache, verified first. */
import { resolve } from "node:path";
import { openCas } from "../../lib/cas/service.ts";
import { importArchive, readArchive } from "../../lib/bundle/archive/import.ts";
import { checkBundleName } from "../../lib/bundle/registry.ts";
import { SIGNING_KEY_ENV, signingKeyFromEnv } from "../../lib/bundle/signing.ts";
import { formatBytes } from "../../lib/size.ts";
import type { CasArgs } from "../options.ts";
import { line, note, out, printJson, table } from "../output.ts";
import { progress } from "../progress.ts";
import { reportEviction } from "./gc.ts";

interface ImportArgs extends CasArgs {
  file: string;
  as?: string;
  quiet: boolean;
}

/** Run the command with its parsed arguments. */
export function importCas(argv: ImportArgs): void {
  const name = argv.as === undefined ? undefined : checkBundleName(argv.as);
  // Everything in the file is checked before the cas-cache is even opened.
  const bar = progress("import", { enabled: !argv.json && !argv.quiet });
  let archive, result;
  try {
    bar.say(`verifying ${argv.file}`);
    archive = readArchive(String(argv.file), { signingKey: signingKeyFromEnv() });
    const bytes = archive.blobs.reduce((sum, blob) => sum + blob.length, 0);
    bar.say(`adding ${archive.blobs.length} blob(s), ${formatBytes(bytes)}`);
    result = importArchive(openCas({ cas: argv.cas }), archive, { name });
  } finally {
    bar.done();
  }
  const { bundle } = result;
  if (argv.json) {
    printJson({
      ok: true,
      path: resolve(archive.path),
      bundle: bundle.name,
      setHash: bundle.setHash,
      created: result.created,
      members: result.members,
      blobsAdded: result.added,
      blobsPresent: result.present,
      signature: result.signature,
      eviction: result.eviction ?? null,
    });
  } else {
    const count = result.members.length;
    const set = `set ${bundle.setHash.slice(0, 16)}…, ${count} member${count === 1 ? "" : "s"}`;
    line(
      `${
        result.created
          ? `imported bundle "${bundle.name}" (${set})`
          : `bundle "${bundle.name}" already holds this set (${set})`
      }: ${result.added} blob(s) added, ${result.present} already present`,
    );
    out(table(
      ["ORDER", "NAME", "BLAKE3", "SIZE", "BLOB"],
      result.members.map((m) => [
        String(m.loadOrder),
        m.extensionName,
        m.contentHash.slice(0, 16),
        formatBytes(m.size),
        m.added ? "added" : "present",
      ]),
      [0, 3],
    ));
    if (result.signature === "verified") line(`signature verified with ${SIGNING_KEY_ENV}`);
  }
  if (result.signature === "unchecked") {
    note(
      `note: the archive is signed, but its signature was not checked: ${SIGNING_KEY_ENV} is not set`,
    );
  }
  if (result.eviction) reportEviction(result.eviction, { quiet: argv.json });
}
