/** The command-line engine: parsing, its usage errors, help, and near-miss suggestions. */
import assert from "node:assert/strict";
import {
  type CommandSpec,
  editDistance,
  helpText,
  parseCommandLine,
  suggest,
} from "../../commands/command_line.ts";
import { UsageError } from "../../lib/errors.ts";

const run = () => {};
const TREE: CommandSpec = {
  name: "sqlink",
  describe: "Test tree",
  options: {
    cas: { type: "string", describe: "Cache", global: true },
    json: { type: "boolean", describe: "JSON", global: true },
  },
  commands: [{
    name: "cas",
    describe: "The cache",
    demand: "Name a cas subcommand",
    commands: [
      {
        name: "put",
        args: "<files..>",
        describe: "Add",
        options: { uri: { type: "string", describe: "URI" } },
        run,
      },
      {
        name: "ls",
        describe: "List",
        options: {
          sort: {
            type: "string",
            choices: ["created", "size"],
            default: "created",
            describe: "By",
          },
          limit: { type: "string", describe: "At most" },
        },
        run,
      },
      { name: "save", args: "<name> <members..> [last]", describe: "Save", run },
      {
        name: "compose",
        describe: "Bake",
        options: {
          embed: { type: "string", array: true, required: "Name them", describe: "Members" },
          build: { type: "boolean", default: true, describe: "Bake" },
          output: { type: "string", alias: "o", describe: "Where" },
        },
        run,
      },
    ],
  }],
};

function usage(args: string[], message: RegExp): UsageError {
  try {
    parseCommandLine(TREE, args);
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    assert.equal(err.exitCode, 2);
    assert.match(err.message, message);
    return err;
  }
  throw new Error(`${args.join(" ")} parsed`);
}

Deno.test("options before, between and after the command words", () => {
  for (
    const args of [
      ["--cas", "c.sqlite", "cas", "ls", "--json"],
      ["cas", "--cas=c.sqlite", "ls", "--json"],
      ["--json", "cas", "ls", "--cas", "c.sqlite"],
    ]
  ) {
    const parsed = parseCommandLine(TREE, args);
    assert.deepEqual(parsed.path.map((c) => c.name), ["sqlink", "cas", "ls"]);
    assert.deepEqual(parsed.argv, { cas: "c.sqlite", json: true, sort: "created" });
  }
});

Deno.test("arguments, variadic ones, arrays, aliases, negation and defaults", () => {
  const put = parseCommandLine(TREE, ["cas", "put", "a", "b", "--uri", "x:y"]);
  assert.deepEqual(put.argv, { files: ["a", "b"], uri: "x:y", json: false });
  const save = parseCommandLine(TREE, ["cas", "save", "n", "m1", "m2", "z"]);
  assert.deepEqual(save.argv.members, ["m1", "m2"]);
  assert.equal(save.argv.last, "z");
  const compose = parseCommandLine(TREE, [
    "cas",
    "compose",
    "--embed",
    "a,b",
    "--embed=c",
    "--no-build",
    "-o",
    "out",
  ]);
  assert.deepEqual(compose.argv, { embed: ["a,b", "c"], build: false, output: "out", json: false });
  // A value that looks like a negative number is a value, and "--" ends the options.
  assert.equal(parseCommandLine(TREE, ["cas", "ls", "--limit", "-1"]).argv.limit, "-1");
  assert.deepEqual(parseCommandLine(TREE, ["cas", "put", "--", "--odd"]).argv.files, ["--odd"]);
});

Deno.test("a flag declared as no-NAME is itself, not the negation of NAME (--no-remote)", () => {
  const tree: CommandSpec = {
    name: "sqlink",
    describe: "Test tree",
    commands: [{
      name: "get",
      describe: "Get",
      options: {
        remote: { type: "string", array: true, describe: "Remote" },
        "no-remote": { type: "boolean", describe: "No remote" },
        build: { type: "boolean", default: true, describe: "Build" },
      },
      run,
    }],
  };
  const parsed = parseCommandLine(tree, ["get", "--remote", "a", "--no-remote", "--no-build"]);
  assert.deepEqual(parsed.argv, { remote: ["a"], "no-remote": true, build: false });
  assert.equal(parseCommandLine(tree, ["get"]).argv["no-remote"], false);
  assert.equal(parseCommandLine(tree, ["get", "--no-remote=false"]).argv["no-remote"], false);
});

Deno.test("every mistake is one usage error", () => {
  usage(["cas", "ls", "--bogus"], /^Unknown option "--bogus"$/);
  usage(["cas", "ls", "extra"], /^Unknown argument "extra"$/);
  usage(["cas", "put"], /^Not enough arguments: put needs <files\.\.>$/);
  usage(["cas", "ls", "--sort", "name"], /^Invalid value "name" for --sort: choose one of/);
  usage(["cas", "ls", "--limit", "1", "--limit", "2"], /^Too many values for --limit: 1, 2$/);
  usage(["cas", "put", "f", "--uri"], /^Option --uri needs a value$/);
  usage(["cas", "put", "f", "--uri", "--json"], /^Option --uri needs a value$/);
  usage(["cas", "ls", "--json=yes"], /takes no value/);
  usage(["cas", "compose"], /^Name them$/);
  usage(["cas"], /^Name a cas subcommand$/);
  usage([], /^Name a command$/);
  const typo = usage(["cas", "lss"], /^Unknown argument "lss"$/);
  assert.equal(typo.hint, 'Did you mean "sqlink cas ls"?');
  assert.equal(usage(["cas", "frobnicate"], /Unknown argument/).hint, undefined);
});

Deno.test("--help stops at the command reached, whatever else is wrong", () => {
  const parsed = parseCommandLine(TREE, ["cas", "ls", "--bogus", "--help"]);
  assert.equal(parsed.help, true);
  assert.deepEqual(parsed.path.map((c) => c.name), ["sqlink", "cas", "ls"]);
  const text = helpText("sqlink", parsed.path, 80);
  assert.match(text, /^sqlink cas ls\n\nList\n/);
  assert.match(text, /--sort created\|size +By \(default: created\)/);
  assert.match(text, /--cas VALUE +Cache/);
  assert.match(
    helpText("sqlink", parseCommandLine(TREE, ["cas", "-h"]).path),
    /sqlink cas put <files\.\.> +Add/,
  );
});

Deno.test("suggestions: near misses only", () => {
  assert.equal(editDistance("bundles", "bundle"), 1);
  assert.equal(editDistance("verfiy", "verify"), 1); // a swap is one edit
  assert.equal(suggest("bundles", ["cas", "bundle", "compose"]), "bundle");
  assert.equal(suggest("instal", ["install"]), "install");
  assert.equal(suggest("cs", ["cas"]), "cas");
  assert.equal(suggest("newdb", ["cas", "bundle", "compose"]), undefined);
  assert.equal(suggest("x", ["cas"]), undefined);
});

Deno.test("sqlink's tree: declared choices match what lib/ accepts", async () => {
  const { SQLINK_COMMANDS } = await import("../../commands/cli.ts");
  const { SORT_KEYS } = await import("../../lib/cas/catalog.ts");
  const { TARGETS } = await import("../../lib/bake/targets.ts");
  const ls = parseCommandLine(SQLINK_COMMANDS, ["cas", "ls"]).path.at(-1)!;
  assert.deepEqual(ls.options?.sort.choices, SORT_KEYS);
  for (const choice of SORT_KEYS) {
    assert.equal(
      parseCommandLine(SQLINK_COMMANDS, ["cas", "ls", "--sort", choice]).argv.sort,
      choice,
    );
  }
  // Targets are checked by lib/ (one message for every way a target arrives), not declared.
  const build = parseCommandLine(SQLINK_COMMANDS, ["bundle", "build", "b", "--target", TARGETS[0]]);
  assert.equal(build.argv.target, TARGETS[0]);
});
