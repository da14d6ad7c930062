/**
 * The names completion offers from a connection: tables, views and their columns in every
 * attached database. Reading them costs one query per table, so they are cached per
 * connection until a schema changes (each database's `schema_version` is the key).
 */
import type { Database } from "../../sqlite/database.ts";

/** Table, view and column names, each list sorted and without duplicates. */
export interface SchemaNames {
  tables: string[];
  columns: string[];
}

const cache = new WeakMap<Database, { key: string; names: SchemaNames }>();

/**
 * The tables, views and columns of `db`; empty lists when the schema cannot be read (a
 * closed or locked database must not break the prompt).
 *
 * @example
 * ```ts
 * const { tables, columns } = schemaNames(state.db);
 * ```
 */
export function schemaNames(db: Database): SchemaNames {
  try {
    const schemas = (db.prepare("SELECT name FROM pragma_database_list").all() as {
      name: string;
    }[]).map((row) => row.name);
    const key = schemas.map((schema) => `${schema}:${schemaVersion(db, schema)}`).join("\n");
    const cached = cache.get(db);
    if (cached && cached.key === key) return cached.names;
    const names = readNames(db, schemas);
    cache.set(db, { key, names });
    return names;
  } catch {
    return cache.get(db)?.names ?? { tables: [], columns: [] };
  }
}

function schemaVersion(db: Database, schema: string): number {
  const row = db.prepare(`PRAGMA ${quoteId(schema)}.schema_version`).get() as
    | { schema_version: number }
    | undefined;
  return row?.schema_version ?? 0;
}

function readNames(db: Database, schemas: string[]): SchemaNames {
  const tables = new Set<string>();
  const columns = new Set<string>();
  const columnsOf = db.prepare("SELECT name FROM pragma_table_info(?, ?)");
  for (const schema of schemas) {
    const rows = db.prepare(
      `SELECT name FROM ${quoteId(schema)}.sqlite_schema WHERE type IN ('table', 'view')`,
    ).all() as { name: string }[];
    for (const { name } of rows) {
      tables.add(name);
      try {
        for (const column of columnsOf.all(name, schema) as { name: string }[]) {
          columns.add(column.name);
        }
      } catch {
        // A virtual table whose module is not loaded, or a view over a dropped table.
      }
    }
  }
  return { tables: [...tables].sort(), columns: [...columns].sort() };
}

function quoteId(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
