/** Shared helpers for the cas-cache library tests: temp caches, raw SQL, error checks. */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { SqlinkError } from "../../lib/errors.ts";
import { type CasOptions, CasStore } from "../../lib/cas/store.ts";
import { toHex } from "../../lib/cas/hash.ts";

export { tempDir } from "../helpers/cli.ts";
export { DataVersionWatcher } from "../helpers/data_version.ts";

/** A CasStore on `<dir>/cas.sqlite`, closed on dispose. */
export function openStore(
  dir: string,
  options: Partial<CasOptions> = {},
): CasStore & Disposable {
  const store = CasStore.open({ path: join(dir, "cas.sqlite"), ...options });
  return Object.assign(store, {
    [Symbol.dispose]() {
      try {
        store.close();
      } catch {
        // Already closed.
      }
    },
  });
}

/** Run `fn`, which must throw a SqlinkError with `code`; returns the error. */
export function throwsCode(fn: () => unknown, code: string): SqlinkError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, `expected a SqlinkError ${code}, but nothing was thrown`);
  assert.ok(
    caught instanceof SqlinkError,
    `expected a SqlinkError ${code}, got ${caught instanceof Error ? caught.stack : caught}`,
  );
  assert.equal(caught.code, code, `expected code ${code}, got ${caught.code}: ${caught.message}`);
  return caught;
}

/** `n` pseudo-random bytes (crypto.getRandomValues caps each call at 64 KiB). */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) {
    crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65536)));
  }
  return out;
}

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** A copy of `bytes` with the byte at `at` inverted. */
export function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] ^= 0xff;
  return copy;
}

/** Run `fn` on a plain node:sqlite connection to `path`, then close it. */
export function withDb<T>(path: string, fn: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(path);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return `x'${toHex(value)}'`;
  if (typeof value === "bigint") return `${value}n`;
  return value;
}

/**
 * Every row of every table plus sqlite_schema, as comparable JSON-ish data. Opened
 * read-only, so taking the dump writes nothing.
 */
export function dumpDatabase(path: string): Record<string, unknown[]> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const schema = db.prepare(
      `SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name`,
    ).all();
    const out: Record<string, unknown[]> = { sqlite_schema: schema };
    for (const row of schema) {
      if (row.type !== "table") continue;
      const name = String(row.name);
      out[name] = db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all().map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)]))
      );
    }
    const version = db.prepare(`PRAGMA user_version`).get();
    out["pragma:user_version"] = [version];
    return out;
  } finally {
    db.close();
  }
}

/** Names of the entries in `dir`, sorted. */
export function listDir(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

/** Count rows of `table` on `store.db` (optionally filtered by `where` with `args`). */
export function count(
  store: CasStore,
  table: string,
  where = "1",
  ...args: Array<string | number>
): number {
  return Number(
    store.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get(...args)!.n,
  );
}

/** The six tables of a v3 cas-cache (besides `__cas_chunk`). */
export const SIX_TABLES = [
  "__cas_artifact",
  "__cas_bundle",
  "__cas_bundle_binary",
  "__cas_bundle_member",
  "__cas_meta",
  "__cas_uri",
];

/** Names of the tables in the database at `path`. */
export function tableNames(path: string): string[] {
  return withDb(
    path,
    (db) =>
      db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).all()
        .map((row) => String(row.name)),
  );
}

/** The recorded schema version of the database at `path`. */
export function schemaVersionOf(path: string): number {
  return withDb(path, (db) =>
    Number(
      db.prepare(`SELECT value FROM __cas_meta WHERE key = 'schema_version'`).get()!.value,
    ));
}

/** Pin `blake3s` with a saved bundle named `name` (raw rows, as the bundle registry writes). */
export function pin(store: CasStore, name: string, blake3s: string[]): number {
  const now = Date.now();
  const row = store.db.prepare(
    `INSERT INTO __cas_bundle(name, set_hash, created_at, last_used_at) VALUES (?, ?, ?, ?)
     RETURNING id`,
  ).get(name, `set-${name}`, now, now)!;
  const id = Number(row.id);
  const member = store.db.prepare(
    `INSERT INTO __cas_bundle_member(bundle_id, extension_name, content_hash, load_order)
     VALUES (?, ?, ?, ?)`,
  );
  blake3s.forEach((blake3, i) => member.run(id, `ext${i}`, blake3, i));
  return id;
}

/** Remove the bundle `id` and its members (raw rows). */
export function unpin(store: CasStore, id: number): void {
  store.db.prepare(`DELETE FROM __cas_bundle_member WHERE bundle_id = ?`).run(id);
  store.db.prepare(`DELETE FROM __cas_bundle WHERE id = ?`).run(id);
}

/** Set `last_used_at` of an artifact with raw SQL (a deterministic LRU clock). */
export function setLastUsed(store: CasStore, blake3: string, at: number): void {
  store.db.prepare(`UPDATE __cas_artifact SET last_used_at = ? WHERE blake3 = ?`).run(at, blake3);
}
