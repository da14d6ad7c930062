/**
 * The field reader of sqlite3 3.40's `.import`: RFC 4180 CSV with any one-byte separators
 * (csv_read_one_field) or plain ASCII-delimited text (ascii_read_one_field), reading bytes
 * and reporting malformed quoting the way sqlite3 does.
 */

/** The terminator a read reports at the end of the input. */
export const EOF = -1;

const QUOTE = 0x22;
const CR = 0x0d;

/** Reads one field at a time from the whole input, tracking lines and the last terminator. */
export class FieldReader {
  /** The line the reader is on (1-based), counted in row separators. */
  line = 1;
  /** What ended the last field: the column separator, the row separator, or {@linkcode EOF}. */
  term = EOF;
  #input: Uint8Array;
  #at = 0;
  #field = new Uint8Array(120);
  #length = 0;
  #started = false;

  /**
   * @param input the bytes to import
   * @param name the file name used in messages (`<pipe>` for a command)
   * @param colSep the column separator byte
   * @param rowSep the row separator byte
   * @param warn where malformed-quoting messages go
   */
  constructor(
    input: Uint8Array,
    readonly name: string,
    readonly colSep: number,
    readonly rowSep: number,
    readonly warn: (message: string) => void,
  ) {
    this.#input = input;
  }

  #next(): number {
    return this.#at < this.#input.length ? this.#input[this.#at++] : EOF;
  }

  #append(c: number): void {
    if (this.#length === this.#field.length) {
      const bigger = new Uint8Array(this.#field.length * 2);
      bigger.set(this.#field);
      this.#field = bigger;
    }
    this.#field[this.#length++] = c;
  }

  #result(): Uint8Array {
    return this.#field.slice(0, this.#length);
  }

  /** The next CSV field, or null at the end of the input. */
  readCsv(): Uint8Array | null {
    this.#length = 0;
    let c = this.#next();
    if (c === EOF) {
      this.term = EOF;
      return null;
    }
    if (c === QUOTE) {
      this.#readQuoted();
    } else {
      if (c === 0xef && !this.#started) {
        // A UTF-8 byte-order mark before the very first field is dropped.
        this.#append(c);
        c = this.#next();
        if (c === 0xbb) {
          this.#append(c);
          c = this.#next();
          if (c === 0xbf) {
            this.#started = true;
            return this.readCsv();
          }
        }
      }
      while (c !== EOF && c !== this.colSep && c !== this.rowSep) {
        this.#append(c);
        c = this.#next();
      }
      if (c === this.rowSep) {
        this.line++;
        if (this.#length > 0 && this.#field[this.#length - 1] === CR) this.#length--;
      }
      this.term = c;
    }
    this.#started = true;
    return this.#result();
  }

  /** The rest of a field that began with `"`: doubled quotes are one, CRLF may follow the end. */
  #readQuoted(): void {
    const startLine = this.line;
    let pc = 0;
    let ppc = 0;
    for (;;) {
      const c = this.#next();
      if (c === this.rowSep) this.line++;
      if (c === QUOTE && pc === QUOTE) {
        pc = 0;
        continue;
      }
      if (
        (c === this.colSep && pc === QUOTE) ||
        (c === this.rowSep && pc === QUOTE) ||
        (c === this.rowSep && pc === CR && ppc === QUOTE) ||
        (c === EOF && pc === QUOTE)
      ) {
        // The closing quote and anything after it (a CR) are not part of the value.
        do this.#length--; while (this.#field[this.#length] !== QUOTE);
        this.term = c;
        return;
      }
      if (pc === QUOTE && c !== CR) {
        this.warn(`${this.name}:${this.line}: unescaped " character\n`);
      }
      if (c === EOF) {
        this.warn(`${this.name}:${startLine}: unterminated "-quoted field\n`);
        this.term = c;
        return;
      }
      this.#append(c);
      ppc = pc;
      pc = c;
    }
  }

  /** The next ASCII-delimited field (no quoting), or null at the end of the input. */
  readAscii(): Uint8Array | null {
    this.#length = 0;
    let c = this.#next();
    if (c === EOF) {
      this.term = EOF;
      return null;
    }
    while (c !== EOF && c !== this.colSep && c !== this.rowSep) {
      this.#append(c);
      c = this.#next();
    }
    if (c === this.rowSep) this.line++;
    this.term = c;
    return this.#result();
  }
}
