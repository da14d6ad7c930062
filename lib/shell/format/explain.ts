/**
 * sqlite3 3.40's explain mode (`MODE_Explain`): fixed-width columns for EXPLAIN bytecode,
 * with the opcodes inside loops indented as `explain_data_prepare` computes it. The
 * indentation needs the whole program, so rows are gathered and printed at the end.
 */
import type { SqlValue } from "../value.ts";
import type { Sink } from "../sink.ts";
import type { FormatSettings } from "./settings.ts";
import type { ResultPrinter } from "./types.ts";
import { ByteWriter, charLength, cText } from "./bytes.ts";
import { displayText } from "./values.ts";
import { writeWidth } from "./columnar.ts";

const WIDTHS = [4, 13, 4, 4, 4, 13, 2, 13];
const EXPLAIN_COLUMNS = ["addr", "opcode", "p1", "p2", "p3", "p4", "p5", "comment"];
const NEXT_OPS = ["Next", "Prev", "VPrev", "VNext", "SorterNext", "Return"];
const YIELD_OPS = ["Yield", "SeekLT", "SeekGT", "RowSetRead", "Rewind"];

function int(value: SqlValue): number {
  if (typeof value === "bigint") return Number(BigInt.asIntN(32, value));
  if (typeof value === "number") return Math.trunc(value) | 0;
  if (typeof value === "string") return Number.parseInt(value, 10) | 0;
  return 0;
}

/** Spaces before each opcode: two per loop (or coroutine) the instruction is inside. */
export function explainIndents(rows: SqlValue[][]): number[] {
  const indent: number[] = [];
  const isYield: boolean[] = [];
  rows.forEach((row, op) => {
    const addr = int(row[0]);
    const opcode = typeof row[1] === "string" ? row[1] : "";
    // P2 is an address; inside a trigger sub-program addresses restart, hence the offset.
    const target = int(row[3]) + (op - addr);
    isYield[op] = YIELD_OPS.includes(opcode);
    indent[op] = 0;
    if (NEXT_OPS.includes(opcode) && target > 0) {
      for (let i = target; i < op; i++) indent[i] += 2;
    }
    if (
      opcode === "Goto" && target < op + 1 && target >= 0 && (isYield[target] || int(row[2]) !== 0)
    ) {
      for (let i = target; i < op; i++) indent[i] += 2;
    }
  });
  return indent;
}

/** A printer for explain mode; loops are indented when the columns are EXPLAIN's own. */
export function createExplainPrinter(settings: FormatSettings, sink: Sink): ResultPrinter {
  const nullValue = cText(settings.nullValue);
  let columns: string[] = [];
  let rows: SqlValue[][] = [];
  return {
    begin(names) {
      columns = names;
      rows = [];
    },
    row(values) {
      rows.push(values);
    },
    end() {
      if (rows.length === 0) return;
      const n = Math.min(columns.length, WIDTHS.length);
      const isExplain = columns.length === 8 && columns.every((c, i) => c === EXPLAIN_COLUMNS[i]);
      const indents = isExplain ? explainIndents(rows) : null;
      const w = new ByteWriter();
      for (let i = 0; i < n; i++) {
        writeWidth(w, WIDTHS[i], cText(columns[i]));
        w.text(i === n - 1 ? "\n" : "  ");
      }
      for (let i = 0; i < n; i++) w.repeat(0x2d, WIDTHS[i]).text(i === n - 1 ? "\n" : "  ");
      rows.forEach((values, r) => {
        for (let i = 0; i < n; i++) {
          const z = displayText(values[i], nullValue);
          let width = i === n - 1 ? 0 : WIDTHS[i];
          if (values[i] !== null && charLength(z) > width) width = charLength(z);
          if (i === 1 && indents) w.repeat(0x20, indents[r]);
          writeWidth(w, width, z);
          w.text(i === n - 1 ? "\n" : "  ");
        }
      });
      sink.write(w.take());
    },
  };
}
