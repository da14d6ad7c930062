/**
 * The shell's output speed against sqlite3, in the same run (issue 14): 300,000 rows of
 * (int, real, text) printed in each mode to a file, `.dump` of a 1,000,000-row table,
 * `.import` of a ~100 MB CSV, and the peak RSS of a 10,000,000-row select piped to
 * `wc -l`. Each pair runs interleaved; outputs must be byte-identical (the dump and the
 * imported table are compared as bytes too). Wall time and peak RSS come from
 * /usr/bin/time. Sizes can be scaled down with SQLINK_BENCH_SHELL_SCALE (0 < s ≤ 1).
 */
import { join } from "node:path";
import { MAIN, SHELL_PERMISSIONS } from "./startup.ts";

const SQLITE3 = "/usr/bin/sqlite3";
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** The modes and their targets (ratio of sqlink's wall time to sqlite3's). */
const MODES: [string, number][] = [
  ["list", 1.5],
  ["csv", 1.5],
  ["json", 1.5],
  ["quote", 1.5],
  ["insert", 1.5],
  ["box", 2],
  ["table", 2],
  ["column", 2],
  ["markdown", 2],
];

/** One measured case. */
export interface ShellCase {
  name: string;
  target: number;
  sqlinkSeconds: number;
  sqlite3Seconds: number;
  sqlinkRssKiB: number;
  sqlite3RssKiB: number;
  identical: boolean;
}

/** What one run of a program cost. */
interface Run {
  seconds: number;
  rssKiB: number;
}

function sqlinkArgv(): string[] {
  return [Deno.execPath(), "run", "--quiet", "--config", CONFIG, ...SHELL_PERMISSIONS, MAIN];
}

function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Run `command` (a shell command line) under /usr/bin/time; its wall time and peak RSS. */
async function timed(command: string, cwd: string): Promise<Run> {
  const report = join(cwd, ".time");
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-o", report, "-f", "%e %M", "sh", "-c", command],
    cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`${command} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  const [seconds, rss] = Deno.readTextFileSync(report).trim().split(/\s+/).map(Number);
  return { seconds, rssKiB: rss };
}

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", Deno.readFileSync(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sqlite3(dir: string, sql: string): Promise<void> {
  const out = await new Deno.Command(SQLITE3, { args: ["data.db", sql], cwd: dir }).output();
  if (!out.success) throw new Error(`sqlite3 ${sql}: ${new TextDecoder().decode(out.stderr)}`);
}

/** Both programs on the same shell command (`PROGRAM` stands for either), `reps` times. */
async function pair(
  dir: string,
  name: string,
  target: number,
  reps: number,
  command: (program: string, tag: string) => string,
  result: (tag: string) => string,
): Promise<ShellCase> {
  const ours: Run[] = [];
  const theirs: Run[] = [];
  for (let i = 0; i < reps; i++) {
    theirs.push(await timed(command(SQLITE3, "sqlite3"), dir));
    ours.push(await timed(command(sqlinkArgv().map(quote).join(" "), "sqlink"), dir));
  }
  const best = (runs: Run[]) => Math.min(...runs.map((r) => r.seconds));
  const peak = (runs: Run[]) => Math.max(...runs.map((r) => r.rssKiB));
  return {
    name,
    target,
    sqlinkSeconds: best(ours),
    sqlite3Seconds: best(theirs),
    sqlinkRssKiB: peak(ours),
    sqlite3RssKiB: peak(theirs),
    identical:
      await sha256(join(dir, result("sqlink"))) === await sha256(join(dir, result("sqlite3"))),
  };
}

/** Every case, on data built in a temporary folder. */
export async function measureShell(reps: number): Promise<ShellCase[]> {
  const scale = Math.min(1, Math.max(0, Number(Deno.env.get("SQLINK_BENCH_SHELL_SCALE") ?? 1))) ||
    1;
  const rows = Math.round(300_000 * scale);
  const dumpRows = Math.round(1_000_000 * scale);
  const csvRows = Math.round(1_400_000 * scale);
  const bigRows = Math.round(10_000_000 * scale);
  const dir = Deno.makeTempDirSync({ prefix: "sqlink-bench-shell-" });
  try {
    await sqlite3(
      dir,
      `create table t(a int, b real, c text);
       with recursive n(i) as (select 1 union all select i + 1 from n where i < ${rows})
       insert into t select i, i * 1.37 / 7.0, 'row ' || hex(randomblob(6)) || ' text' from n;
       create table d(a int, b real, c text);
       with recursive n(i) as (select 1 union all select i + 1 from n where i < ${dumpRows})
       insert into d select i, i / 3.0, 'it''s row ' || i from n;`,
    );
    const cases: ShellCase[] = [];
    for (const [mode, target] of MODES) {
      cases.push(
        await pair(
          dir,
          `.mode ${mode}, ${rows} rows`,
          target,
          reps,
          (program, tag) =>
            `${program} -cmd '.mode ${mode}' data.db 'select * from t' > ${tag}.${mode}`,
          (tag) => `${tag}.${mode}`,
        ),
      );
    }
    cases.push(
      await pair(
        dir,
        `.dump of ${dumpRows} rows`,
        2,
        reps,
        (program, tag) => `${program} data.db '.dump d' > ${tag}.dump`,
        (tag) => `${tag}.dump`,
      ),
    );
    // A CSV of ~100 MB (at full scale) from sqlite3 itself.
    await timed(
      `${SQLITE3} -csv -header data.db "with recursive n(i) as (select 1 union all ` +
        `select i + 1 from n where i < ${csvRows}) select i as id, i * 0.5 as half, ` +
        `'a \"quoted\", text ' || hex(randomblob(16)) as note from n" > big.csv`,
      dir,
    );
    const csvSize = Deno.statSync(join(dir, "big.csv")).size;
    cases.push(
      await pair(
        dir,
        `.import of a ${(csvSize / 1e6).toFixed(0)} MB CSV`,
        2,
        reps,
        (program, tag) =>
          `rm -f ${tag}.import.db && ${program} ${tag}.import.db '.import --csv big.csv big' && ` +
          `${SQLITE3} ${tag}.import.db '.dump' > ${tag}.import.sql`,
        (tag) => `${tag}.import.sql`,
      ),
    );
    cases.push(
      await pair(
        dir,
        `select of ${bigRows} rows | wc -l`,
        0,
        1,
        (program, tag) =>
          `${program} :memory: 'with recursive n(i) as (select 1 union all select i + 1 from n ` +
          `where i < ${bigRows}) select i from n' | wc -l > ${tag}.count`,
        (tag) => `${tag}.count`,
      ),
    );
    return cases;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** The report: both times, the ratio against its target, peak RSS, identical bytes. */
export function shellReport(cases: ShellCase[]): string {
  const lines = ["The shell against sqlite3, same run (best wall time; peak RSS):"];
  for (const c of cases) {
    const ratio = c.sqlinkSeconds / c.sqlite3Seconds;
    const verdict = c.target > 0
      ? `${ratio.toFixed(2)}× (target ≤ ${c.target}×): ${ratio <= c.target ? "PASS" : "MISS"}`
      : `sqlink peak RSS ${(c.sqlinkRssKiB / 1024).toFixed(0)} MiB (target ≤ 150 MiB): ${
        c.sqlinkRssKiB / 1024 <= 150 ? "PASS" : "MISS"
      }`;
    lines.push(
      `  ${c.name.padEnd(34)} sqlink ${c.sqlinkSeconds.toFixed(2)} s ${
        (c.sqlinkRssKiB / 1024).toFixed(0)
      } MiB, sqlite3 ${c.sqlite3Seconds.toFixed(2)} s ${
        (c.sqlite3RssKiB / 1024).toFixed(0)
      } MiB  ${verdict}  ${c.identical ? "identical bytes" : "OUTPUT DIFFERS"}`,
    );
  }
  return lines.join("\n");
}
