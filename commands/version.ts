/**
 * `sqlink version [--json]`: what a bug report needs, in one place: sqlink's own version
 * (deno.json's), the SQLite sqlink runs on (node:sqlite's), Deno's, and the target triple.
 * `--version` stays sqlite3's: it prints SQLite's version line, as scripts expect.
 */
import { DatabaseSync } from "node:sqlite";
import config from "../deno.json" with { type: "json" };
import { line, printJson } from "./output.ts";

/** The versions sqlink is made of. */
export interface Versions {
  sqlink: string;
  sqlite: { version: string; sourceId: string; library: string };
  deno: string;
  v8: string;
  typescript: string;
  target: string;
}

/** The versions of this running sqlink. */
export function versions(): Versions {
  const db = new DatabaseSync(":memory:");
  try {
    const row = db.prepare("SELECT sqlite_version() AS version, sqlite_source_id() AS id")
      .get() as {
        version: string;
        id: string;
      };
    return {
      sqlink: config.version,
      sqlite: { version: row.version, sourceId: row.id, library: "node:sqlite" },
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      typescript: Deno.version.typescript,
      target: Deno.build.target,
    };
  } finally {
    db.close();
  }
}

/** Run `sqlink version`. */
export function version(argv: { json: boolean }): void {
  const v = versions();
  if (argv.json) {
    printJson({ ok: true, ...v });
    return;
  }
  line(`sqlink ${v.sqlink}`);
  line(`sqlite ${v.sqlite.version} (${v.sqlite.library}, ${v.sqlite.sourceId})`);
  line(`deno   ${v.deno} (v8 ${v.v8}, typescript ${v.typescript})`);
  line(`target ${v.target}`);
}
