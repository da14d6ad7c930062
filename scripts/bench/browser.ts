/**
 * `deno task bench --only browser`: 1,000 × 4 KiB put (one transaction) and get in the
 * page's worker (sqlite-wasm in OPFS, headless Chromium) against the same code on the Deno
 * driver (node:sqlite, a file on disk) in the same run, alternating, best of the rounds
 * (browser_rounds.ts, a process of its own).
 */
import type { PutGetTimes } from "./put_get.ts";
import { COUNT, SIZE } from "./put_get.ts";
import type { BrowserResult } from "./browser_rounds.ts";

/** Run `rounds` rounds of each side in a child process with every permission. */
export async function measureBrowser(rounds: number): Promise<BrowserResult | string> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-all",
      "--config",
      new URL("../../tests/deno.json", import.meta.url).pathname,
      new URL("browser_rounds.ts", import.meta.url).pathname,
      String(rounds),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`the browser rounds exited ${output.code}`);
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

/** The report: best of the rounds on each side and the ratios. */
export function browserReport(result: BrowserResult | string): string {
  if (typeof result === "string") return `Browser: ${result}`;
  const best = (runs: PutGetTimes[], key: keyof PutGetTimes) =>
    Math.min(...runs.map((r) => r[key]));
  const rows = [
    ["Deno, node:sqlite on disk", best(result.deno, "putMs"), best(result.deno, "getMs")],
    ["Chromium, sqlite-wasm in OPFS", best(result.browser, "putMs"), best(result.browser, "getMs")],
  ] as const;
  const lines = [
    `${COUNT.toLocaleString("en")} × ${
      SIZE / 1024
    } KiB put (one transaction) and get, best of ${result.deno.length} rounds each, alternating:`,
    ...rows.map(([name, put, get]) =>
      `  ${name.padEnd(30)} put ${put.toFixed(0).padStart(5)} ms   get ${
        get.toFixed(0).padStart(5)
      } ms`
    ),
    `  ratio browser / Deno: put ${(rows[1][1] / rows[0][1]).toFixed(2)}×, get ${
      (rows[1][2] / rows[0][2]).toFixed(2)
    }×`,
  ];
  return lines.join("\n");
}
