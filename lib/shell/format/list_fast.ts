/**
 * The list mode (and `-tabs`, which is list with a tab) straight from SQLite's bytes: each
 * cell is what sqlite3_column_text gives, copied into one output buffer, exactly what
 * sqlite3's shell_callback prints for MODE_List, without a JavaScript value per cell.
 */
import { ByteBuffer, type Statement } from "../../sqlite/statement.ts";
import type { Stepper } from "../../sqlite/stepper.ts";
import type { Sink } from "../sink.ts";
import { cText } from "./bytes.ts";
import type { FormatSettings } from "./settings.ts";

const FLUSH_AT = 1 << 16;

/**
 * Print the current row and every row after it; returns the error that ended the rows
 * early, or null. The first row must already be stepped to.
 */
export async function printListRows(
  statement: Statement,
  stepper: Stepper,
  names: string[],
  settings: FormatSettings,
  sink: Sink,
): Promise<unknown> {
  const colSep = cText(settings.colSeparator);
  const rowSep = cText(settings.rowSeparator);
  const nullValue = cText(settings.nullValue);
  const out = new ByteBuffer();
  const last = names.length - 1;
  if (settings.headers) {
    names.forEach((name, i) => {
      out.append(cText(name));
      out.append(i === last ? rowSep : colSep);
    });
  }
  let failure: unknown = null;
  try {
    for (;;) {
      for (let i = 0; i <= last; i++) {
        if (!statement.appendText(i, out)) out.append(nullValue);
        out.append(i === last ? rowSep : colSep);
      }
      if (out.length >= FLUSH_AT) sink.write(out.take());
      let more = stepper.next();
      if (typeof more !== "boolean") more = await more;
      if (!more) break;
    }
  } catch (error) {
    failure = error;
  }
  if (out.length > 0) sink.write(out.take());
  return failure;
}
