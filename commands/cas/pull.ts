/** `sqlink cas pull REF…`: fetch blobs from the remotes into the cas-cache (CI warm-up). */
import { openCas } from "../../lib/cas/service.ts";
import { SqlinkError, UsageError } from "../../lib/errors.ts";
import { wantFor } from "../../lib/remote/readthrough.ts";
import type { Want } from "../../lib/remote/tier.ts";
import { formatBytes } from "../../lib/size.ts";
import { label } from "../../lib/remote/spec.ts";
import type { CasArgs } from "../options.ts";
import { setExitCode } from "../cli.ts";
import { line, note, printJson } from "../output.ts";
import { openTier, type RemoteArgs, remoteFlags } from "../remote/tier.ts";

interface PullArgs extends CasArgs, RemoteArgs {
  refs: string[];
}

/** Run `sqlink cas pull` with its parsed arguments. */
export async function pull(argv: PullArgs): Promise<void> {
  const refs = argv.refs.map(String);
  const flags = remoteFlags(argv);
  const store = openCas({ cas: argv.cas });
  const wants: Array<{ ref: string; want: Want; local?: string }> = refs.map((ref) => {
    const want = wantFor(store, ref);
    if (!want) {
      throw new UsageError(`Cannot pull "${ref}": remotes name blobs by their full SHA-256`, {
        hint:
          "Give sha256:<64 hex digits> (`sqlink cas ls --json` shows each blob's sha256), or pull a bundle with `sqlink bundle pull NAME`",
      });
    }
    const local = store.guard(() =>
      store.db.prepare(`SELECT blake3 FROM __cas_artifact WHERE sha256 = ?`).get(want.sha256)
    );
    return { ref, want, local: local ? String(local.blake3) : undefined };
  });
  const tier = await openTier(flags, { strict: true, progress: !argv.json, label: "pull" });
  if (!tier) {
    throw new SqlinkError("ENOREMOTE", "Cannot pull: no remote is configured", {
      hint: "Add one with `sqlink remote add NAME URL`, set SQLINK_REMOTE, or give --remote URL",
    });
  }
  const absent = wants.filter((w) => w.local === undefined);
  let fetched;
  try {
    fetched = await tier.fetch(store, absent.map((w) => w.want));
  } finally {
    tier.saveStats(store);
  }
  const byRef = new Map(absent.map((w, i) => [w.ref, fetched[i]]));
  const results = wants.map(({ ref, want, local }) => {
    if (local) return { ref, sha256: want.sha256, blake3: local, status: "present" as const };
    const got = byRef.get(ref)!;
    return got.from
      ? {
        ref,
        sha256: want.sha256,
        blake3: got.blake3,
        size: got.size,
        status: got.added ? "added" as const : "present" as const,
        from: got.from,
      }
      : { ref, sha256: want.sha256, status: "missing" as const };
  });
  const missing = results.filter((r) => r.status === "missing");
  if (missing.length > 0) setExitCode(1);
  if (argv.json) {
    printJson({ ok: missing.length === 0, results });
    return;
  }
  for (const r of results) {
    const size = "size" in r && r.size !== undefined ? formatBytes(r.size).padStart(10) : "";
    line(
      `${r.sha256}  ${r.status.padEnd(7)}  ${size}${
        "from" in r && r.from ? `  from ${label(r.from)}` : ""
      }`,
    );
  }
  if (missing.length > 0) {
    note(`error: ${missing.length} blob(s) were on no remote`);
    note("hint: Push them from a machine that has them with `sqlink cas push`");
  }
}
