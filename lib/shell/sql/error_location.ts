/**
 * sqlite3's picture of where in a statement an error is (its `shell_error_context`), drawn
 * from the byte offset SQLite reports (`sqlite3_error_offset`).
 */

/**
 * The picture for an error at byte `offset` of `sql` (the text from the failing statement
 * to the end of the input, as sqlite3 has it): at most 78 bytes of it, starting up to 50
 * bytes before the offset, and a marker under the offending token. "" when SQLite gave no
 * offset (-1).
 */
export function errorContext(sql: Uint8Array, offset: number): string {
  if (offset < 0) return "";
  let at = offset;
  let from = 0;
  while (at > 50) {
    at--;
    from++;
    while ((sql[from] & 0xc0) === 0x80) {
      from++;
      at--;
    }
  }
  const rest = sql.subarray(from);
  // sqlite3 measures with strlen: the text ends at a NUL.
  let length = rest.indexOf(0);
  if (length < 0) length = rest.length;
  if (length > 78) {
    length = 78;
    while ((rest[length] & 0xc0) === 0x80) length--;
  }
  const shown = rest.slice(0, length).map((b) => (b === 0x20 || (b >= 9 && b <= 13) ? 0x20 : b));
  const code = new TextDecoder().decode(shown);
  return at < 25
    ? `\n  ${code}\n  ${" ".repeat(at)}^--- error here`
    : `\n  ${code}\n  ${" ".repeat(at - 14)}error here ---^`;
}
