/** The printed report: one table of throughput and memory, then the targets. */
import { type ChildResult, type ImplName, type WorkloadName, WORKLOADS } from "./common.ts";

const MIB = 1024 * 1024;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r.map((cell, c) => c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])).join(" | ");
  const rule = widths.map((w) => "-".repeat(w)).join("-|-");
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join("\n");
}

const ops = (n: number) => n < 100 ? n.toFixed(2) : Math.round(n).toLocaleString("en-US");
const mbps = (n: number) => n.toFixed(1);
const mib = (n: number) => `${(n / MIB).toFixed(0)} MiB`;

/** Throughput per result: MB is 10^6 bytes. */
export function resultsTable(results: ChildResult[]): string {
  const rows = [[
    "workload",
    "impl",
    "put s",
    "put ops/s",
    "put MB/s",
    "get s",
    "get ops/s",
    "get MB/s",
    "peak RSS",
  ]];
  for (const r of results) {
    rows.push([
      WORKLOADS[r.workload].label,
      r.impl,
      r.putSeconds.toFixed(3),
      ops(r.count / r.putSeconds),
      mbps(r.bytes / 1e6 / r.putSeconds),
      r.getSeconds.toFixed(3),
      ops(r.count / r.getSeconds),
      mbps(r.bytes / 1e6 / r.getSeconds),
      mib(r.peakRssBytes),
    ]);
  }
  return table(rows);
}

interface Target {
  what: string;
  workload: WorkloadName;
  value: (find: (impl: ImplName) => ChildResult | undefined) => number | undefined;
  /** Format of the value, and whether it meets the target. */
  show: (v: number) => string;
  pass: (v: number) => boolean;
  want: string;
}

const speed = (op: "put" | "get", a: ImplName, b: ImplName) =>
(
  find: (impl: ImplName) => ChildResult | undefined,
): number | undefined => {
  const x = find(a);
  const y = find(b);
  if (!x || !y) return undefined;
  const key = op === "put" ? "putSeconds" : "getSeconds";
  return y[key] / x[key];
};

const times = (v: number) => `${v.toFixed(2)}×`;
const percent = (v: number) => `${(v * 100).toFixed(0)}%`;

const TARGETS: Target[] = [
  ...(["put", "get"] as const).map((op): Target => ({
    what: `small ${op}: sqlink vs cacache`,
    workload: "small",
    value: speed(op, "sqlink", "cacache"),
    show: times,
    pass: (v) => v >= 10,
    want: "≥ 10×",
  })),
  ...(["small", "big"] as const).flatMap((workload) =>
    (["put", "get"] as const).map((op): Target => ({
      what: `${workload} ${op}: sqlink vs raw floor`,
      workload,
      value: speed(op, "sqlink", "raw"),
      show: percent,
      pass: (v) => v >= 0.6,
      want: "≥ 60%",
    }))
  ),
  ...(["big64", "big"] as const).flatMap((workload): Target[] => [
    ...(["put", "get"] as const).map((op): Target => ({
      what: `${WORKLOADS[workload].label} ${op}: sqlink vs cacache`,
      workload,
      value: speed(op, "sqlink", "cacache"),
      show: times,
      pass: (v) => v >= 1,
      want: "≥ 1×",
    })),
    {
      what: `${WORKLOADS[workload].label}: sqlink peak RSS / blob size`,
      workload,
      value: (find) => {
        const r = find("sqlink");
        return r ? r.peakRssBytes / r.bytes : undefined;
      },
      show: times,
      pass: (v) => v <= 1,
      want: "≤ 1×",
    },
  ]),
];

/** Every sqlink-vs-other speed ratio (informational), then the targets marked PASS/MISS. */
export function ratiosReport(results: ChildResult[]): string {
  const finder = (workload: WorkloadName) => (impl: ImplName) =>
    results.find((r) => r.workload === workload && r.impl === impl);
  const lines = ["Speed of sqlink relative to the others (higher is better for sqlink):"];
  const rows = [["workload", "vs", "put", "get"]];
  for (const workload of Object.keys(WORKLOADS) as WorkloadName[]) {
    for (const other of ["cacache", "raw"] as const) {
      const put = speed("put", "sqlink", other)(finder(workload));
      const get = speed("get", "sqlink", other)(finder(workload));
      if (put === undefined || get === undefined) continue;
      rows.push([WORKLOADS[workload].label, other, times(put), times(get)]);
    }
  }
  lines.push(rows.length > 1 ? table(rows) : "(no sqlink result with another to compare)");
  lines.push("", "Targets:");
  const targetRows = [["target", "want", "got", "result"]];
  for (const t of TARGETS) {
    const v = t.value(finder(t.workload));
    targetRows.push(
      v === undefined
        ? [t.what, t.want, "-", "n/a"]
        : [t.what, t.want, t.show(v), t.pass(v) ? "PASS" : "MISS"],
    );
  }
  lines.push(table(targetRows));
  return lines.join("\n");
}
