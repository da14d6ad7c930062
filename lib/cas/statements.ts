/**
 * Prepared statements, cached per connection. Preparing costs as much as running a small
 * query, and the cas-cache runs the same few queries thousands of times.
 */
import type { DatabaseSync, StatementSync } from "../db/database.ts";

/** `setReturnArrays` exists at run time in Deno 2.9 but is missing from its type definitions. */
type ArrayCapable = StatementSync & { setReturnArrays(enabled: boolean): void };

const caches = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

/**
 * The prepared statement for `text` on `db`, prepared once. With `arrays`, its rows come
 * back as arrays in column order (cheaper than objects on hot paths); it is a statement of
 * its own, so the same text can be cached both ways.
 */
export function sql(
  db: DatabaseSync,
  text: string,
  options: { arrays?: boolean } = {},
): StatementSync {
  let cache = caches.get(db);
  if (!cache) caches.set(db, cache = new Map());
  const key = options.arrays ? `[]${text}` : text;
  let statement = cache.get(key);
  if (!statement) {
    statement = db.prepare(text);
    if (options.arrays) (statement as ArrayCapable).setReturnArrays(true);
    cache.set(key, statement);
  }
  return statement;
}
