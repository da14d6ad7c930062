/**
 * Remotes as configured (SPEC §2, §10): the config file (0600 in a 0700 folder, written
 * atomically, other keys kept), SQLINK_REMOTE's ccache-style words, the precedence of
 * --no-remote, --remote, SQLINK_REMOTE and the file, and credentials masked wherever a
 * remote is shown. Also netrc and the bundle manifest's checks.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SqlinkError } from "../../lib/errors.ts";
import {
  addRemote,
  configPath,
  configuredRemotes,
  remotesInEffect,
  removeRemote,
} from "../../lib/remote/config.ts";
import { manifestBytes, parseManifest } from "../../lib/remote/manifest.ts";
import { parseNetrc } from "../../lib/remote/netrc.ts";
import { maskUrl, redact, registerSecret } from "../../lib/remote/redact.ts";
import { label, parseRemoteList, parseRemoteWord, statsKey } from "../../lib/remote/spec.ts";
import { blake3Hex } from "../../lib/cas/blake3.ts";
import { sha256Hex } from "../../lib/cas/sha256.ts";
import { setHash } from "../../lib/bundle/set_hash.ts";
import { runSqlink, tempDir } from "../helpers/cli.ts";

function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, Deno.env.get(k)]));
  for (const [k, v] of Object.entries(vars)) {
    v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
  }
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
    }
  }
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof SqlinkError) return err.code;
    throw err;
  }
  throw new Error("no error");
}

Deno.test("config: add, list and remove keep a 0600 file in a 0700 folder, atomically, other keys intact", () => {
  using dir = tempDir();
  const path = join(dir.path, "cfg", "sqlink", "config.json");
  addRemote("team", "https://ci:pw@cache.example/sqlink/", {}, path);
  addRemote("mirror", "s3://bkt/p?endpoint=http://127.0.0.1:9000&region=eu-1", {
    readOnly: true,
    operationTimeoutMs: 5000,
  }, path);
  assert.equal(Deno.statSync(path).mode! & 0o777, 0o600);
  assert.equal(Deno.statSync(join(dir.path, "cfg", "sqlink")).mode! & 0o777, 0o700);
  const saved = JSON.parse(Deno.readTextFileSync(path));
  assert.deepEqual(saved.remotes[0], {
    name: "team",
    url: "https://ci:pw@cache.example/sqlink",
    readOnly: false,
  });
  assert.equal(saved.remotes[1].operationTimeoutMs, 5000);
  // A person's own keys survive sqlink's writes.
  Deno.writeTextFileSync(path, JSON.stringify({ ...saved, editor: "vim" }));
  assert.equal(code(() => addRemote("team", "http://other", {}, path)), "EEXIST");
  removeRemote("team", path);
  assert.deepEqual(configuredRemotes(path).map((r) => r.name), ["mirror"]);
  assert.equal(JSON.parse(Deno.readTextFileSync(path)).editor, "vim");
  assert.equal(code(() => removeRemote("team", path)), "ENOTFOUND");
  assert.deepEqual(
    [...Deno.readDirSync(join(dir.path, "cfg", "sqlink"))].map((e) => e.name),
    ["config.json"],
    "no temporary file left",
  );
  Deno.writeTextFileSync(path, "{ not json");
  assert.equal(code(() => configuredRemotes(path)), "ECONFIG");
  Deno.writeTextFileSync(path, JSON.stringify({ remotes: [{ name: "x", url: "ftp://h" }] }));
  assert.equal(code(() => configuredRemotes(path)), "ECONFIG");
});

Deno.test("config: the file lives under XDG_CONFIG_HOME, else ~/.config", () => {
  withEnv({ XDG_CONFIG_HOME: "/xdg", HOME: "/home/me" }, () => {
    assert.equal(configPath(), "/xdg/sqlink/config.json");
  });
  withEnv({ XDG_CONFIG_HOME: undefined, HOME: "/home/me" }, () => {
    assert.equal(configPath(), "/home/me/.config/sqlink/config.json");
  });
});

Deno.test("SQLINK_REMOTE: space-separated URL|attribute words, like ccache's remote_storage", () => {
  const [a, b] = parseRemoteList(
    " http://h/a|read-only   https://h2/b/|connect-timeout=500|operation-timeout=9000 ",
    "SQLINK_REMOTE",
  );
  assert.deepEqual(
    [a.url, a.readOnly, a.connectTimeoutMs, a.operationTimeoutMs],
    ["http://h/a", true, 2000, 60000],
  );
  assert.deepEqual(
    [b.url, b.readOnly, b.connectTimeoutMs, b.operationTimeoutMs],
    ["https://h2/b", false, 500, 9000],
  );
  for (
    const bad of [
      "ftp://h",
      "http://h/x|readonly",
      "http://h|operation-timeout=0",
      "nope",
      "http://h/?q=1",
    ]
  ) {
    assert.equal(code(() => parseRemoteWord(bad, "SQLINK_REMOTE")), "EUSAGE", bad);
  }
});

Deno.test("precedence: --no-remote, then --remote (URL or configured name), then SQLINK_REMOTE (empty: none), then the file", () => {
  using dir = tempDir();
  withEnv({ XDG_CONFIG_HOME: dir.path, SQLINK_REMOTE: undefined }, () => {
    addRemote("team", "http://team/x");
    assert.deepEqual(remotesInEffect().remotes.map((r) => r.url), ["http://team/x"]);
    assert.equal(remotesInEffect({ noRemote: true }).remotes.length, 0);
    assert.deepEqual(
      remotesInEffect({ remote: ["team", "http://other/y|read-only"] }).remotes.map((r) => [
        r.name,
        r.url,
        r.readOnly,
      ]),
      [["team", "http://team/x", false], [undefined, "http://other/y", true]],
    );
    assert.equal(code(() => remotesInEffect({ remote: ["nosuch"] })), "EUSAGE");
    withEnv({ SQLINK_REMOTE: "http://env/z" }, () => {
      assert.deepEqual(remotesInEffect().remotes.map((r) => r.url), ["http://env/z"]);
      assert.equal(remotesInEffect().source, "env");
    });
    withEnv({ SQLINK_REMOTE: "" }, () => {
      assert.equal(remotesInEffect().remotes.length, 0);
    });
  });
});

Deno.test("credentials are masked in labels, stats keys, URLs with tokens and free text", () => {
  assert.equal(maskUrl("https://ci:hunter2@h/p"), "https://ci:***@h/p");
  assert.equal(maskUrl("https://tok3n@h/p"), "https://***@h/p");
  assert.equal(
    maskUrl("https://h/p?X-Amz-Signature=abc&x=1"),
    "https://h/p?X-Amz-Signature=***&x=1",
  );
  assert.equal(label({ name: "team", url: "http://u:pw@h/p" }), '"team" (http://u:***@h/p)');
  assert.equal(statsKey({ url: "http://u:pw@h/p" }), "http://h/p");
  assert.equal(redact("GET http://u:pw@h/x failed"), "GET http://u:***@h/x failed");
  registerSecret("abcd-registered-secret");
  assert.equal(redact("token abcd-registered-secret leaked"), "token *** leaked");
});

Deno.test("remote add/ls/rm from the command line: usage errors exit 2, --json never shows a password", async () => {
  using dir = tempDir();
  const env = { XDG_CONFIG_HOME: dir.path, SQLINK_REMOTE: "" };
  const add = await runSqlink(["remote", "add", "team", "http://ci:pw-123456@h/p", "--read-only"], {
    env: { XDG_CONFIG_HOME: dir.path },
  });
  assert.equal(add.code, 0, add.stderr);
  assert.equal(add.stdout, 'added remote "team" (http://ci:***@h/p) (read-only)\n');
  const ls = await runSqlink(["remote", "ls", "--json"], { env: { XDG_CONFIG_HOME: dir.path } });
  assert.equal(ls.code, 0, ls.stderr);
  assert.ok(!ls.stdout.includes("pw-123456"));
  assert.equal(JSON.parse(ls.stdout).remotes[0].readOnly, true);
  const overridden = await runSqlink(["remote", "ls"], { env });
  assert.match(overridden.stdout, /^no remotes \(SQLINK_REMOTE\)/);
  const bad = await runSqlink(["remote", "add", "x y", "http://h"], { env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error: "x y" is not a valid remote name/m);
  const scheme = await runSqlink(["remote", "add", "x", "gopher://h"], { env });
  assert.equal(scheme.code, 2);
  assert.match(scheme.stderr, /sqlink speaks http, https and s3, not gopher/);
  const both = await runSqlink(["cas", "put", "/dev/null", "--remote", "http://h", "--no-remote"], {
    env,
  });
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--remote and --no-remote contradict each other/);
  const rm = await runSqlink(["remote", "rm", "team"], { env });
  assert.equal(rm.code, 0, rm.stderr);
  assert.ok(!rm.stdout.includes("pw-123456"));
});

Deno.test("netrc: the machine's entry, else the default", () => {
  const text = "machine a.example login u1 password p1\n\ndefault login d password dp\n" +
    "machine b.example\n  login u2\n  password p2\n";
  assert.deepEqual(parseNetrc(text, "b.example"), { login: "u2", password: "p2" });
  assert.deepEqual(parseNetrc(text, "a.example"), { login: "u1", password: "p1" });
  assert.deepEqual(parseNetrc(text, "c.example"), { login: "d", password: "dp" });
  assert.equal(parseNetrc("machine x login only", "x"), undefined);
});

Deno.test("bundle manifest: one bundle, one set of bytes; anything off is refused", () => {
  const member = (name: string) => {
    const bytes = new TextEncoder().encode(name);
    return { name, entryPoint: null, blake3: blake3Hex(bytes), sha256: sha256Hex(bytes), size: 4 };
  };
  const members = [member("uuid"), member("json1")];
  const manifest = {
    format: "sqlink-bundle-manifest" as const,
    version: 1,
    name: "tools",
    setHash: setHash(members.map((m) => ({ extensionName: m.name, contentHash: m.blake3 }))),
    members,
  };
  const { bytes, sha256 } = manifestBytes(manifest);
  assert.equal(sha256, manifestBytes(structuredClone(manifest)).sha256, "stable bytes");
  assert.deepEqual(parseManifest(bytes, "x"), manifest);
  const edit = (change: (m: Record<string, unknown>) => void) => {
    const copy = JSON.parse(new TextDecoder().decode(bytes));
    change(copy);
    return new TextEncoder().encode(JSON.stringify(copy));
  };
  const refused = [
    new TextEncoder().encode("not json"),
    edit((m) => (m.format = "other")),
    edit((m) => (m.setHash = "0".repeat(64))),
    edit((m) => ((m.members as Array<Record<string, unknown>>)[0].name = "../evil")),
    edit((m) => ((m.members as Array<Record<string, unknown>>)[0].sha256 = "xyz")),
    edit((m) => (m.members = [])),
    edit((m) => (m.name = "bad name")),
  ];
  for (const bad of refused) assert.equal(code(() => parseManifest(bad, "x")), "EMANIFEST");
  assert.equal(code(() => parseManifest(edit((m) => (m.version = 99)), "x")), "ENEWER");
});

Deno.test("schema v5 (its own step after v4's stored total): a v4 cache gains the remote tables and its bundle members' SHA-256", async () => {
  const { CasStore } = await import("../../lib/cas/store.ts");
  const { saveBundle, memberSha256s, findBundle } = await import("../../lib/bundle/registry.ts");
  const { DatabaseSync } = await import("node:sqlite");
  using dir = tempDir();
  const path = join(dir.path, "cas.sqlite");
  const store = CasStore.open({ path });
  const put = store.put(new TextEncoder().encode("member bytes"));
  saveBundle(store, "b", [{ extensionName: "m", contentHash: put.blake3, entryPoint: null }]);
  store.close();
  // Make it what a v4 sqlink left: no v5 tables, no member SHA-256, version 4.
  const db = new DatabaseSync(path);
  db.exec(`DROP TABLE __cas_remote_stat; DROP TABLE __cas_remote_quarantine;
           ALTER TABLE __cas_bundle_member DROP COLUMN sha256;
           UPDATE __cas_meta SET value = '4' WHERE key = 'schema_version'`);
  db.close();
  const reopened = CasStore.open({ path });
  try {
    assert.equal(
      reopened.stats().schemaVersion,
      (await import("../../lib/cas/schema.ts")).SCHEMA_VERSION,
    );
    // v4's stored total is kept as it was.
    const kept = reopened.db.prepare(
      `SELECT value FROM __cas_meta WHERE key = 'stored_bytes'`,
    ).get();
    const summed = reopened.db.prepare(
      `SELECT sum(stored_size) AS n FROM __cas_artifact`,
    ).get();
    assert.equal(Number(kept?.value), Number(summed?.n));
    assert.deepEqual(
      [...memberSha256s(reopened, findBundle(reopened, "b"))],
      [[put.blake3, put.sha256]],
    );
    const tables = reopened.db.prepare(
      `SELECT name FROM sqlite_schema WHERE name LIKE '__cas_remote%' ORDER BY name`,
    ).all().map((r) => r.name);
    assert.deepEqual(tables, ["__cas_remote_quarantine", "__cas_remote_stat"]);
  } finally {
    reopened.close();
  }
});
