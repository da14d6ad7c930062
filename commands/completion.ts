/**
 * Shell completion: `sqlink completion [bash|zsh|fish]` prints a script, and the script asks
 * `sqlink --get-completions -- WORD…` for the candidates of the word being typed. One
 * completer serves the three shells: subcommands, options, fixed choices, bundle names
 * (`--bundle`, `bundle show|delete|build|push`, `cas export`) and the shell's own options
 * (`-box`, `--load`), read from its help text. A line `:files` asks the script to offer
 * file names too.
 */
import { isOsError, SqlinkError, UsageError } from "../lib/errors.ts";
import { casPath } from "../lib/paths.ts";
import { TARGETS } from "../lib/bake/targets.ts";
import { SQLINK_COMMANDS } from "./cli.ts";
import {
  type CommandSpec,
  type CompletionSource,
  type OptionSpec,
  positionals,
  subcommand,
  visibleOptions,
} from "./command_line.ts";
import { line, out } from "./output.ts";
import { USAGE } from "./shell/shell.ts";

const SHELLS = ["bash", "zsh", "fish"] as const;
type Shell = typeof SHELLS[number];

/** Ask for file names as well as the words listed. */
const FILES = ":files";

/** The shell's options that take a value, and what completes it. */
const SHELL_VALUES: Record<string, CompletionSource | string[] | undefined> = {
  "--bundle": "bundles",
  "--bundle-load": "bundles",
  "--bundle-baked": "bundles",
  "--load": "files",
  "-init": "files",
  "--grant": ["spawn-build"],
  "-cmd": undefined,
  "-separator": undefined,
  "-newline": undefined,
  "-nullvalue": undefined,
};

/** `sqlink completion [SHELL]`: the script for SHELL, else for the one $SHELL names, else bash. */
export function completionScript(argv: { shell?: string }): void {
  const named = argv.shell ?? (Deno.env.get("SHELL") ?? "").split("/").pop();
  const shell = SHELLS.find((s) => s === named);
  if (argv.shell !== undefined && !shell) {
    throw new UsageError(`Unknown shell "${argv.shell}" for completion`, {
      hint: "Name one of: bash, zsh, fish",
    });
  }
  out(SCRIPTS[shell ?? "bash"]);
}

/** `sqlink --get-completions -- WORD…`: the candidates, one per line. */
export async function printCompletions(args: string[]): Promise<number> {
  const words = args[0] === "--" ? args.slice(1) : args;
  for (const candidate of await completions(words)) line(candidate);
  return 0;
}

/**
 * The candidates for the last of `words` (the words after `sqlink`, the last one being
 * typed, perhaps empty); a shell filters them by what was typed.
 */
export async function completions(words: string[]): Promise<string[]> {
  const current = words[words.length - 1] ?? "";
  const before = words.slice(0, -1);
  const path: CommandSpec[] = [SQLINK_COMMANDS];
  let positional = 0;
  let cas: string | undefined;
  for (let i = 0; i < before.length; i++) {
    const word = before[i];
    const spec = path[path.length - 1];
    if (word.startsWith("-")) {
      const option = lookup(path, word);
      if (option?.type === "string" && !word.includes("=")) {
        if (word === "--cas") cas = before[i + 1];
        i++;
      } else if (!option && path.length === 1 && word in SHELL_VALUES) i++;
      continue;
    }
    const next = positional === 0 ? subcommand(spec, word) : undefined;
    if (next) path.push(next);
    else if (path.length === 1) return await shellCompletions(before, current);
    else positional++;
  }
  const previous = before[before.length - 1];
  if (previous?.startsWith("-") && !previous.includes("=")) {
    const option = lookup(path, previous);
    if (option?.type === "string") return await valueCompletions(option, cas);
    if (!option && path.length === 1 && previous in SHELL_VALUES) {
      return await sourceCompletions(SHELL_VALUES[previous], cas);
    }
  }
  const spec = path[path.length - 1];
  if (current.startsWith("-")) {
    const options = [...visibleOptions(path).keys()].map((name) => `--${name}`);
    if (path.length === 1) return [...new Set([...shellOptions(), ...options])];
    return [...options, "--help"];
  }
  if (spec.commands && positional === 0) {
    const names = spec.commands.filter((c) => !c.hidden).map((c) => c.name);
    // The first word may also be a database file.
    return path.length === 1 ? [...names, FILES] : names;
  }
  const declared = positionals(spec);
  const at = declared[Math.min(positional, declared.length - 1)];
  if (!at || (positional >= declared.length && !at.variadic)) return [];
  return await sourceCompletions(spec.positionals?.[at.name]?.complete, cas);
}

/** After a database name: the shell's options, else nothing (SQL is not completed here). */
function shellCompletions(before: string[], current: string): Promise<string[]> | string[] {
  const previous = before[before.length - 1];
  if (previous in SHELL_VALUES) return sourceCompletions(SHELL_VALUES[previous], undefined);
  return current.startsWith("-") ? shellOptions() : [];
}

function lookup(path: CommandSpec[], word: string): OptionSpec | undefined {
  const name = word.replace(/^--?/, "").split("=")[0];
  const options = visibleOptions(path);
  return options.get(name) ?? [...options.values()].find((o) => o.alias === name);
}

function valueCompletions(
  option: OptionSpec,
  cas: string | undefined,
): Promise<string[]> | string[] {
  if (option.choices) return [...option.choices];
  return sourceCompletions(option.complete, cas);
}

function sourceCompletions(
  source: CompletionSource | string[] | undefined,
  cas: string | undefined,
): Promise<string[]> | string[] {
  if (Array.isArray(source)) return source;
  switch (source) {
    case "files":
      return [FILES];
    case "bundles":
      return bundleNames(cas);
    case "targets":
      return [...TARGETS];
    case "shells":
      return [...SHELLS];
    default:
      return [];
  }
}

/** The shell's own options, as its help lists them (`-[no]header` is both). */
export function shellOptions(): string[] {
  const names = new Set<string>();
  for (const match of USAGE.matchAll(/^ {3}(--?[a-z[\]-]+)/gm)) {
    const name = match[1];
    if (name === "-[no]header") names.add("-header").add("-noheader");
    else names.add(name);
  }
  return [...names];
}

/**
 * Saved bundle names, from a cas-cache that already exists (completion never creates one);
 * none when it cannot be read. The cache's modules load only here.
 */
async function bundleNames(cas: string | undefined): Promise<string[]> {
  try {
    if (!Deno.statSync(casPath(cas)).isFile) return [];
    const [{ openCas }, { listBundles }] = await Promise.all([
      import("../lib/cas/service.ts"),
      import("../lib/bundle/registry.ts"),
    ]);
    return listBundles(openCas({ cas })).map((b) => b.name);
  } catch (err) {
    if (err instanceof SqlinkError || isOsError(err, "NotFound", "PermissionDenied")) return [];
    throw err;
  }
}

const BASH = `###-begin-sqlink-completions-###
# sqlink completion for bash. Install: sqlink completion bash >> ~/.bashrc
_sqlink_completions() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" word files=0
  local -a words=()
  while IFS= read -r word; do
    if [ "$word" = "${FILES}" ]; then files=1; else words+=("$word"); fi
  done < <(sqlink --get-completions -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  local IFS=$'\\n'
  COMPREPLY=($(compgen -W "\${words[*]}" -- "$cur"))
  if [ "$files" = 1 ]; then
    compopt -o filenames 2>/dev/null
    COMPREPLY+=($(compgen -f -- "$cur"))
  fi
  return 0
}
complete -F _sqlink_completions sqlink
###-end-sqlink-completions-###
`;

const ZSH = `#compdef sqlink
# sqlink completion for zsh. Install: sqlink completion zsh > ~/.zfunc/_sqlink with
# fpath+=(~/.zfunc) before compinit in ~/.zshrc, or: source <(sqlink completion zsh)
_sqlink() {
  local -a candidates
  local files=0 word
  for word in "\${(@f)$(sqlink --get-completions -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}"; do
    if [[ $word == ${FILES} ]]; then files=1; elif [[ -n $word ]]; then candidates+=("$word"); fi
  done
  (( \${#candidates} )) && compadd -- "\${candidates[@]}"
  (( files )) && _files
  return 0
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _sqlink "$@"
else
  compdef _sqlink sqlink
fi
`;

const FISH = `# sqlink completion for fish.
# Install: sqlink completion fish > ~/.config/fish/completions/sqlink.fish
function __sqlink_complete
    set -l words (commandline -opc)[2..-1] (commandline -ct)
    for word in (sqlink --get-completions -- $words 2>/dev/null)
        if test "$word" = "${FILES}"
            __fish_complete_path (commandline -ct)
        else
            echo $word
        end
    end
end
complete -c sqlink -f -a '(__sqlink_complete)'
`;

const SCRIPTS: Record<Shell, string> = { bash: BASH, zsh: ZSH, fish: FISH };
