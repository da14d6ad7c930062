/**
 * Prepared statements, cached per connection. Preparing costs as much as running a small
 * query, and the cas-cache runs the same few queries thousands of times.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";

const caches = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

/** The prepared statement for `text` on `db`, prepared once. */
export function sql(db: DatabaseSync, text: string): StatementSync {
  let cache = caches.get(db);
  if (!cache) caches.set(db, cache = new Map());
  let statement = cache.get(text);
  if (!statement) cache.set(text, statement = db.prepare(text));
  return statement;
}
