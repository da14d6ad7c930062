/**
 * The columnar modes of sqlite3 3.40 (`exec_prepared_stmt_columnar`): column, table,
 * markdown and box. The whole result is gathered first, since column widths depend on
 * every value; long or multi-line values wrap onto extra display lines.
 */
import type { SqlValue } from "../value.ts";
import type { Sink } from "../sink.ts";
import type { FormatSettings } from "./settings.ts";
import type { ResultPrinter } from "./types.ts";
import { ByteWriter, charLength, cText } from "./bytes.ts";
import { columnText, quotedColumnText } from "./values.ts";
import { displayLine } from "./wrap.ts";

const EMPTY = new Uint8Array(0);

/** Box-drawing pieces: left, middle and right joints of one horizontal rule. */
const BOX_TOP = ["┌", "┬", "┐"];
const BOX_MIDDLE = ["├", "┼", "┤"];
const BOX_BOTTOM = ["└", "┴", "┘"];

/** sqlite3's `utf8_width_print`: pad (right-align if `w < 0`) or cut to |w| characters. */
export function writeWidth(w: ByteWriter, width: number, z: Uint8Array): void {
  const aw = Math.abs(width);
  let n = 0;
  let i = 0;
  for (; i < z.length; i++) {
    if ((z[i] & 0xc0) === 0x80) continue;
    n++;
    if (n === aw) {
      do i++; while (i < z.length && (z[i] & 0xc0) === 0x80);
      break;
    }
  }
  if (n >= aw) w.bytes(z.subarray(0, i));
  else if (width < 0) w.repeat(0x20, aw - n).bytes(z);
  else w.bytes(z).repeat(0x20, aw - n);
}

/** The gathered result: display lines (header first) and which lines end a row. */
interface Grid {
  nColumn: number;
  cells: Uint8Array[];
  /** Per display line after the header: true when it is the last line of its row. */
  rowEnds: boolean[];
  multiLine: boolean;
}

function rule(w: ByteWriter, widths: number[], joints: string[], dash: string): void {
  w.text(joints[0]);
  widths.forEach((width, i) => {
    if (i > 0) w.text(joints[1]);
    w.text(dash.repeat(width + 2));
  });
  w.text(joints[2]).text("\n");
}

function centred(w: ByteWriter, width: number, z: Uint8Array): void {
  const pad = width - charLength(z);
  w.repeat(0x20, Math.trunc(pad / 2)).bytes(z).repeat(0x20, Math.trunc((pad + 1) / 2));
}

function render(settings: FormatSettings, grid: Grid, sink: Sink): void {
  const { nColumn, cells } = grid;
  const mode = settings.mode;
  const colWidth = (i: number) => settings.widths[i] ?? 0;
  const widths: number[] = [];
  for (let i = 0; i < nColumn; i++) widths.push(Math.abs(colWidth(i)));
  cells.forEach((z, i) => {
    const n = charLength(z);
    if (n > widths[i % nColumn]) widths[i % nColumn] = n;
  });
  const w = new ByteWriter();
  let colSep = " | ";
  let rowSep = " |\n";
  if (mode === "column") {
    colSep = "  ";
    rowSep = "\n";
    if (settings.headers) {
      for (let i = 0; i < nColumn; i++) {
        writeWidth(w, colWidth(i) < 0 ? -widths[i] : widths[i], cells[i]);
        w.text(i === nColumn - 1 ? "\n" : "  ");
      }
      for (let i = 0; i < nColumn; i++) {
        w.repeat(0x2d, widths[i]).text(i === nColumn - 1 ? "\n" : "  ");
      }
    }
  } else if (mode === "box") {
    colSep = " │ ";
    rowSep = " │\n";
    rule(w, widths, BOX_TOP, "─");
    w.text("│ ");
    for (let i = 0; i < nColumn; i++) {
      centred(w, widths[i], cells[i]);
      w.text(i === nColumn - 1 ? " │\n" : " │ ");
    }
    rule(w, widths, BOX_MIDDLE, "─");
  } else {
    if (mode === "table") rule(w, widths, ["+", "+", "+"], "-");
    w.text("| ");
    for (let i = 0; i < nColumn; i++) {
      centred(w, widths[i], cells[i]);
      w.text(i === nColumn - 1 ? " |\n" : " | ");
    }
    const joint = mode === "table" ? "+" : "|";
    rule(w, widths, [joint, joint, joint], "-");
  }
  for (let i = nColumn, j = 0; i < cells.length; i++, j++) {
    if (j === 0 && mode !== "column") w.text(mode === "box" ? "│ " : "| ");
    writeWidth(w, colWidth(j) < 0 ? -widths[j] : widths[j], cells[i]);
    if (j < nColumn - 1) {
      w.text(colSep);
      continue;
    }
    w.text(rowSep);
    const line = Math.trunc(i / nColumn) - 1;
    if (grid.multiLine && grid.rowEnds[line] && i + 1 < cells.length) {
      if (mode === "table") rule(w, widths, ["+", "+", "+"], "-");
      else if (mode === "box") rule(w, widths, BOX_MIDDLE, "─");
      else if (mode === "column") w.text("\n");
    }
    j = -1;
    if (w.length >= 65536) sink.write(w.take());
  }
  if (mode === "table") rule(w, widths, ["+", "+", "+"], "-");
  else if (mode === "box") rule(w, widths, BOX_BOTTOM, "─");
  sink.write(w.take());
}

/**
 * A printer for column, table, markdown and box modes (with `--wrap`, `--wordwrap`, `--quote`).
 * `extendWidths` is told the column count of a result that has rows: sqlite3 then extends
 * `.width` with automatic (0) widths up to that count, which `.show` lists afterwards.
 */
export function createColumnarPrinter(
  settings: FormatSettings,
  sink: Sink,
  extendWidths?: (nColumn: number) => void,
): ResultPrinter {
  const nullValue = cText(settings.nullValue);
  let grid: Grid = { nColumn: 0, cells: [], rowEnds: [], multiLine: false };
  let rows = 0;
  const wrapFor = (i: number) => settings.widths[i] || settings.wrap;
  return {
    begin(columns) {
      rows = 0;
      grid = {
        nColumn: columns.length,
        cells: columns.map((c, i) => displayLine(cText(c), wrapFor(i), settings.wordWrap).line),
        rowEnds: [],
        multiLine: false,
      };
    },
    row(values) {
      rows++;
      let pending: (Uint8Array | null)[] = values.map((v: SqlValue) =>
        settings.quote ? quotedColumnText(v) : columnText(v) ?? nullValue
      );
      let first = true;
      for (;;) {
        let more = false;
        const next: (Uint8Array | null)[] = [];
        for (let i = 0; i < grid.nColumn; i++) {
          const z = first ? pending[i]! : pending[i] ?? EMPTY;
          const { line, tail } = displayLine(z, wrapFor(i), settings.wordWrap);
          grid.cells.push(line);
          next.push(tail);
          if (tail) more = true;
        }
        grid.rowEnds.push(!more);
        if (more) grid.multiLine = true;
        if (!more) break;
        pending = next;
        first = false;
      }
    },
    end() {
      if (rows === 0 || grid.nColumn === 0) return;
      extendWidths?.(grid.nColumn);
      render(settings, grid, sink);
    },
  };
}
