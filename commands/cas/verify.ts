/**
 * `sqlink cas verify [--repair]`: re-hash every artifact, every materialized copy under
 * ext/ and every baked binary under builds/; optionally remove what is damaged.
 */
import { openCas } from "../../lib/cas/service.ts";
import { verifyCopies } from "../../lib/ext/copies.ts";
import { verifyBuilds } from "../../lib/bake/verify.ts";
import { cacheRoot } from "../../lib/paths.ts";
import type { CasArgs } from "../options.ts";
import { setExitCode } from "../cli.ts";
import { line, printJson } from "../output.ts";
import { progress } from "../progress.ts";

interface VerifyArgs extends CasArgs {
  repair: boolean;
  quiet: boolean;
}

/** Run the command with its parsed arguments. */
export function verify(argv: VerifyArgs): void {
  const cas = openCas({ cas: argv.cas });
  const shown = { enabled: !argv.json && !argv.quiet, unit: "items" } as const;
  const bar = progress("verify", shown);
  const report = cas.verify({
    repair: argv.repair,
    progress: (done, total) => bar.update(done, total, "re-hashing artifacts"),
  });
  bar.done();
  const root = cacheRoot();
  const copyBar = progress("verify", shown);
  const copies = verifyCopies(root, {
    repair: argv.repair,
    progress: (done, total) => copyBar.update(done, total, "re-hashing materialized copies"),
  });
  copyBar.done();
  const builds = verifyBuilds(cas, root, { repair: argv.repair });
  const damagedCache = report.corrupt.length + report.danglingUris.length +
      report.orphanChunks > 0;
  const badFiles = copies.bad.length + builds.bad.length;
  const damaged = damagedCache || badFiles > 0;
  if (damaged && !argv.repair) setExitCode(1);
  if (argv.json) {
    printJson({
      ok: !damaged || argv.repair,
      ...report,
      repaired: argv.repair && damaged,
      copies: { checked: copies.checked, bad: copies.bad },
      binaries: { checked: builds.checked, bad: builds.bad },
    });
    return;
  }
  for (const c of report.corrupt) line(`corrupt  ${c.blake3}: ${c.reason}`);
  for (const uri of report.danglingUris) line(`dangling ${uri}: its artifact is gone`);
  if (report.orphanChunks > 0) {
    line(`orphan   ${report.orphanChunks} chunk row(s) belong to no artifact`);
  }
  for (const c of copies.bad) line(`bad copy ${c.path}: ${c.reason}`);
  for (const b of builds.bad) line(`bad binary ${b.path}: ${b.reason}`);
  const what = `${report.checked} artifact(s), ${copies.checked} materialized cop${
    copies.checked === 1 ? "y" : "ies"
  } and ${builds.checked} baked binar${builds.checked === 1 ? "y" : "ies"}`;
  if (!damaged) line(`checked ${what}: all intact`);
  else if (argv.repair) line(`checked ${what}: removed what was damaged`);
  else {line(
      `checked ${what}: damage found; run \`sqlink cas verify --repair\` to remove it`,
    );}
}
