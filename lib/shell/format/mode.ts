/**
 * The `.mode` dot-command of sqlite3 3.40 as a pure function over {@linkcode FormatSettings}:
 * mode names match by prefix in 3.40's order (`.mode l` is line, `.mode tab` is tabs), each
 * mode resets the separators it owns, and the columnar modes take `--wrap N`,
 * `--wordwrap B`, `--ww`, `--quote` and `--noquote`.
 */
import type { FormatSettings, ModeName } from "./settings.ts";
import { booleanValue, integerValue } from "../arg_values.ts";
import { quoteIdentifier } from "./values.ts";

/** What `.mode` did: the new settings, text for the output and error streams, and a status. */
export interface ModeResult {
  settings: FormatSettings;
  stdout: string;
  stderr: string;
  status: 0 | 1;
}

const MODE_ERROR = "Error: mode should be one of: " +
  "ascii box column csv html insert json line list markdown qbox quote table tabs tcl\n";

const OPTIONS_HELP = "options:\n  --noquote\n  --quote\n  --wordwrap on/off\n  --wrap N\n  --ww\n";

const COLUMNAR: readonly ModeName[] = ["column", "markdown", "table", "box"];

/** The name `.mode` and `.show` report for the mode (sqlite3's `modeDescr`). */
export function modeLabel(settings: FormatSettings): string {
  return settings.mode;
}

/** The mode as `.show` and a bare `.mode` describe it, with columnar options where they apply. */
export function modeDescription(settings: FormatSettings): string {
  if (!COLUMNAR.includes(settings.mode)) return modeLabel(settings);
  return `${settings.mode} --wrap ${settings.wrap} --wordwrap ${
    settings.wordWrap ? "on" : "off"
  } ` +
    `--${settings.quote ? "" : "no"}quote`;
}

/** `-x` or `--x` for option name `x` (sqlite3's `optionMatch`). */
function isOption(arg: string, name: string): boolean {
  if (!arg.startsWith("-")) return false;
  const bare = arg.startsWith("--") ? arg.slice(2) : arg.slice(1);
  return bare === name;
}

/** The mode a (possibly abbreviated) name selects, checked in sqlite3 3.40's order. */
const MODE_WORDS: [string, string][] = [
  ["lines", "line"],
  ["columns", "column"],
  ["list", "list"],
  ["html", "html"],
  ["tcl", "tcl"],
  ["csv", "csv"],
  ["tabs", "tabs"],
  ["insert", "insert"],
  ["quote", "quote"],
  ["ascii", "ascii"],
  ["markdown", "markdown"],
  ["table", "table"],
  ["box", "box"],
  ["count", "count"],
  ["off", "off"],
  ["json", "json"],
];

/** Apply `.mode ARGS…` (arguments already unquoted) to `settings`, which is not modified. */
export function applyModeCommand(settings: FormatSettings, args: string[]): ModeResult {
  const next: FormatSettings = { ...settings, widths: [...settings.widths] };
  let stdout = "";
  let stderr = "";
  let mode: string | null = null;
  let table: string | null = null;
  const opts = { wrap: 60, wordWrap: false, quote: false };
  for (let i = 0; i < args.length; i++) {
    const z = args[i];
    if (isOption(z, "wrap") && i + 1 < args.length) {
      opts.wrap = Number(BigInt.asIntN(32, integerValue(args[++i])));
    } else if (isOption(z, "ww")) {
      opts.wordWrap = true;
    } else if (isOption(z, "wordwrap") && i + 1 < args.length) {
      const { value, warning } = booleanValue(args[++i]);
      // sqlite3 keeps the value in a u8, so 256 means off.
      opts.wordWrap = (value & 0xff) !== 0;
      stderr += warning;
    } else if (isOption(z, "quote")) {
      opts.quote = true;
    } else if (isOption(z, "noquote")) {
      opts.quote = false;
    } else if (mode === null) {
      mode = z;
      // qbox is box with quoting, and resets any options given before it.
      if (z === "qbox") {
        mode = "box";
        Object.assign(opts, { wrap: 60, wordWrap: false, quote: true });
      }
    } else if (table === null) {
      table = z;
    } else if (z.startsWith("-")) {
      return {
        settings,
        stdout,
        stderr: stderr + `unknown option: ${z}\n${OPTIONS_HELP}`,
        status: 1,
      };
    } else {
      return { settings, stdout, stderr: stderr + `extra argument: "${z}"\n`, status: 1 };
    }
  }
  if (mode === null) {
    stdout = `current output mode: ${modeDescription(settings)}\n`;
    // A bare `.mode` re-applies the current mode, resetting its separators and options.
    mode = modeLabel(settings);
  }
  const word = MODE_WORDS.find(([name]) => name.startsWith(mode!));
  if (!word) return { settings: next, stdout, stderr: stderr + MODE_ERROR, status: 1 };
  const chosen = word[1];
  const columnar = () => {
    next.wrap = opts.wrap;
    next.wordWrap = opts.wordWrap;
    next.quote = opts.quote;
  };
  switch (chosen) {
    case "line":
      next.mode = "line";
      next.rowSeparator = "\n";
      break;
    case "column":
      next.mode = "column";
      if (!next.headerSet) next.headers = true;
      next.rowSeparator = "\n";
      columnar();
      break;
    case "list":
      next.mode = "list";
      next.colSeparator = "|";
      next.rowSeparator = "\n";
      break;
    case "tcl":
      next.mode = "tcl";
      next.colSeparator = " ";
      next.rowSeparator = "\n";
      break;
    case "csv":
      next.mode = "csv";
      next.colSeparator = ",";
      next.rowSeparator = "\r\n";
      break;
    case "tabs":
      next.mode = "list";
      next.colSeparator = "\t";
      break;
    case "insert":
      next.mode = "insert";
      next.insertTable = quoteIdentifier(table ?? "table");
      break;
    case "quote":
      next.mode = "quote";
      next.colSeparator = ",";
      next.rowSeparator = "\n";
      break;
    case "ascii":
      next.mode = "ascii";
      next.colSeparator = "\x1f";
      next.rowSeparator = "\x1e";
      break;
    case "markdown":
    case "table":
    case "box":
      next.mode = chosen;
      columnar();
      break;
    default:
      next.mode = chosen as ModeName;
  }
  return { settings: next, stdout, stderr, status: 0 };
}
