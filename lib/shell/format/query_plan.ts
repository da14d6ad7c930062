/**
 * EXPLAIN QUERY PLAN rows drawn as sqlite3 3.40's `eqp_render` draws them: a `QUERY PLAN`
 * title and a tree of `|--` and `` `-- `` branches, each row under the row whose id is its
 * parent.
 */

/** One row of EXPLAIN QUERY PLAN: its id, its parent's id and the text. */
export interface PlanRow {
  id: number;
  parent: number;
  detail: string;
}

/** sqlite3 keeps the branch prefix in a 100-byte buffer and stops descending near its end. */
const MAX_PREFIX = 100 - 7;

function renderLevel(rows: PlanRow[], parent: number, prefix: string, out: string[]): void {
  const children = rows.filter((r) => r.parent === parent);
  children.forEach((row, i) => {
    const last = i === children.length - 1;
    out.push(`${prefix}${last ? "`--" : "|--"}${row.detail}\n`);
    if (prefix.length < MAX_PREFIX) renderLevel(rows, row.id, prefix + (last ? "   " : "|  "), out);
  });
}

/** The plan as text (`QUERY PLAN\n`--SCAN t\n`), or "" when there are no rows. */
export function renderQueryPlan(rows: PlanRow[]): string {
  if (rows.length === 0) return "";
  const out: string[] = [];
  let body = rows;
  // A first row starting with "-" is a title of its own (sqlite3 drops its first 3 bytes).
  if (rows[0].detail.startsWith("-")) {
    if (rows.length === 1) return "";
    out.push(`${new TextDecoder().decode(new TextEncoder().encode(rows[0].detail).subarray(3))}\n`);
    body = rows.slice(1);
  } else {
    out.push("QUERY PLAN\n");
  }
  renderLevel(body, 0, "", out);
  return out.join("");
}
