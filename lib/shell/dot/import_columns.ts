/**
 * The column list `.import` gives a table it creates from a header row, as sqlite3 3.40's
 * zAutoColumn builds it: every column TEXT, four to a line, blank names become `?`, and
 * names that collide (ignoring ASCII case) get `_N` suffixes with the fewest leading zeros
 * that make every name unique.
 */
import { sqlIdentifier } from "./sql_quote.ts";

/** The `(…)` part of the CREATE TABLE, and the `"a" to "a_1"` lines when columns were renamed. */
export interface ImportColumns {
  spec: string;
  renamed: string | null;
}

function foldCase(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** Column definitions for header fields `names`, or null when there are none. */
export function importColumns(names: string[]): ImportColumns | null {
  if (names.length === 0) return null;
  const columns = names.map((name) => name === "" ? "?" : name);
  const folded = columns.map(foldCase);
  const hasDupes = new Set(folded).size < columns.length;
  const suffixes = columns.map(() => "");
  if (hasDupes) {
    const repeated = columns.map((_, i) => folded.some((f, j) => j !== i && f === folded[i]));
    // sqlite3 pads the position to the digits of the column count while it searches for the
    // number of leading zeros, then writes the suffix without that padding.
    const digits = Math.ceil(Math.log10(columns.length + 0.5));
    const renamedTo = (zeros: number, width: number) =>
      columns.map((name, i) =>
        repeated[i]
          ? foldCase(`${name}_${"0".repeat(zeros)}${String(i + 1).padStart(width, "0")}`)
          : folded[i]
      );
    let zeros = 0;
    while (new Set(renamedTo(zeros, digits)).size < columns.length) zeros++;
    columns.forEach((_, i) => {
      if (repeated[i]) suffixes[i] = `_${"0".repeat(zeros)}${i + 1}`;
    });
  }
  const defs = columns.map((name, i) => {
    const separator = i === 0 ? "" : i % 4 > 0 ? ", " : ",\n ";
    return `${separator}${sqlIdentifier(name + suffixes[i])} TEXT`;
  });
  const renamed = hasDupes
    ? columns.flatMap((name, i) =>
      suffixes[i] === "" ? [] : [`${sqlIdentifier(name)} to ${sqlIdentifier(name + suffixes[i])}`]
    ).join(",\n")
    : null;
  return { spec: `(\n${defs.join("")})`, renamed };
}
