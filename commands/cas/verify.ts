/** `sqlink cas verify [--repair]`: re-hash every artifact; optionally remove corrupt ones. */
// @ts-types="@types/yargs"
import type { CommandModule } from "yargs";
import { openCas } from "../../lib/cas/service.ts";
import type { CasArgs } from "../cas.ts";
import { setExitCode } from "../cli.ts";
import { line, printJson } from "../output.ts";
import { progress } from "../progress.ts";

interface VerifyArgs extends CasArgs {
  repair: boolean;
}

/** The verify subcommand. */
export const verifyCommand: CommandModule<CasArgs, VerifyArgs> = {
  command: "verify",
  describe: "Re-hash every artifact and report corrupt ones (exit 1 when any are left)",
  builder: (y) =>
    y.option("repair", {
      type: "boolean",
      default: false,
      describe: "Remove corrupt artifacts, dangling URIs and orphan chunks",
    }) as never,
  handler: (argv) => {
    const bar = progress("verify", !argv.json);
    const report = openCas({ cas: argv.cas }).verify({
      repair: argv.repair,
      progress: (done, total) => bar.update(done, total),
    });
    bar.done();
    const damaged = report.corrupt.length + report.danglingUris.length + report.orphanChunks > 0;
    if (damaged && !report.repaired) setExitCode(1);
    if (argv.json) {
      printJson({ ok: !damaged || report.repaired, ...report });
      return;
    }
    for (const c of report.corrupt) line(`corrupt  ${c.blake3}: ${c.reason}`);
    for (const uri of report.danglingUris) line(`dangling ${uri}: its artifact is gone`);
    if (report.orphanChunks > 0) {
      line(`orphan   ${report.orphanChunks} chunk row(s) belong to no artifact`);
    }
    if (!damaged) line(`checked ${report.checked} artifact(s): all intact`);
    else if (report.repaired) {
      line(`checked ${report.checked} artifact(s): removed what was damaged`);
    } else {line(
        `checked ${report.checked} artifact(s): damage found; run \`sqlink cas verify --repair\` to remove it`,
      );}
  },
};
