/** Splitting a dot-command line into words, exactly as sqlite3 does (quotes, backslashes). */

/** The words of a dot-command line (the leading `.` already removed or not). */
export function dotCommandWords(line: string): string[] {
  const words: string[] = [];
  let h = line.startsWith(".") ? 1 : 0;
  while (h < line.length) {
    while (h < line.length && isBlank(line[h])) h++;
    if (h >= line.length) break;
    const c = line[h];
    if (c === "'" || c === '"') {
      h++;
      const start = h;
      while (h < line.length && line[h] !== c) {
        if (line[h] === "\\" && c === '"' && h + 1 < line.length) h++;
        h++;
      }
      const word = line.slice(start, h);
      if (h < line.length) h++;
      words.push(c === '"' ? resolveBackslashes(word) : word);
    } else {
      const start = h;
      while (h < line.length && !isBlank(line[h])) h++;
      words.push(resolveBackslashes(line.slice(start, h)));
      if (h < line.length) h++;
    }
  }
  return words;
}

function isBlank(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\v" || c === "\f";
}

const ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  t: "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  '"': '"',
  "'": "'",
  "\\": "\\",
};

/** C-style backslash escapes (`\t`, `\n`, octal `\033`, …) as sqlite3 resolves them. */
export function resolveBackslashes(text: string): string {
  if (!text.includes("\\")) return text;
  let result = "";
  for (let i = 0; i < text.length; i++) {
    let c = text[i];
    if (c === "\\" && i + 1 < text.length) {
      c = text[++i];
      if (c in ESCAPES) {
        c = ESCAPES[c];
      } else if (c >= "0" && c <= "7") {
        let value = c.charCodeAt(0) - 48;
        for (let k = 0; k < 2 && text[i + 1] >= "0" && text[i + 1] <= "7"; k++) {
          value = value * 8 + text.charCodeAt(++i) - 48;
        }
        c = String.fromCharCode(value & 0xff);
      }
    }
    result += c;
  }
  return result;
}
