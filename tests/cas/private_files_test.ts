/**
 * The cas-cache's files and folders are private (SPEC §2): the database, its -wal and its
 * -shm are 0600 whatever the umask, an old 0644 cache is brought down to 0600, and a folder
 * others can write to (group- or world-writable, sticky or not) is refused before anything
 * is written in it, naming the folder and the `chmod 700` that fixes it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { exportBundle } from "../../lib/bundle/archive/export.ts";
import { saveBundle } from "../../lib/bundle/registry.ts";
import { CasStore } from "../../lib/cas/store.ts";
import { checkPrivateDir, ensurePrivateDir } from "../../lib/fs.ts";
import { checkCacheRoot } from "../../lib/paths.ts";
import { listDir, openStore, randomBytes, tempDir, throwsCode, utf8 } from "./helpers.ts";

const posix = Deno.build.os !== "windows";

function modeOf(path: string): number {
  return Deno.statSync(path).mode! & 0o7777;
}

/** Run `fn` with the process umask set to `mask`, then put the old one back. */
function withUmask<T>(mask: number, fn: () => T): T {
  const old = Deno.umask(mask);
  try {
    return fn();
  } finally {
    Deno.umask(old);
  }
}

Deno.test({
  name: "private files: a new cache, its -wal and its -shm are 0600 under umask 022 and 000",
  ignore: !posix,
  fn() {
    using dir = tempDir();
    for (const mask of [0o022, 0o002, 0o000]) {
      const path = join(dir.path, `umask-${mask.toString(8)}`, "cas.sqlite");
      withUmask(mask, () => {
        const store = CasStore.open({ path });
        try {
          store.put(randomBytes(200_000));
          // While a connection is open, SQLite keeps both beside the database.
          for (const file of [path, `${path}-wal`, `${path}-shm`]) {
            assert.equal(modeOf(file), 0o600, `${file} under umask ${mask.toString(8)}`);
          }
        } finally {
          store.close();
        }
      });
      assert.equal(modeOf(join(dir.path, `umask-${mask.toString(8)}`)), 0o700);
    }
  },
});

Deno.test({
  name: "private files: a cache written before files were 0600 is brought down to 0600",
  ignore: !posix,
  fn() {
    using dir = tempDir();
    const path = join(dir.path, "cas.sqlite");
    CasStore.open({ path }).close();
    Deno.chmodSync(path, 0o644);
    const store = CasStore.open({ path });
    try {
      store.put(utf8("after"));
      for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(modeOf(file), 0o600);
    } finally {
      store.close();
    }
    // Only group and other bits go: the owner's own bits are left as they were.
    Deno.chmodSync(path, 0o444);
    CasStore.open({ path }).close();
    assert.equal(modeOf(path), 0o400);
  },
});

Deno.test({
  name: "private files: a cache folder others can write to is refused, with nothing written",
  ignore: !posix,
  fn() {
    using dir = tempDir();
    const cases: Array<[number, RegExp]> = [
      [0o770, /its group can write to it \(mode 0770\)/],
      [0o757, /all users can write to it \(mode 0757\)/],
      [0o777, /its group and all users can write to it \(mode 0777\)/],
      // A sticky folder like /tmp: others cannot remove our files, but can create the
      // cache's -journal beside it before we do.
      [0o1777, /its group and all users can write to it \(mode 1777\)/],
    ];
    for (const [mode, pattern] of cases) {
      const folder = join(dir.path, `folder ${mode.toString(8)}`);
      Deno.mkdirSync(folder);
      Deno.chmodSync(folder, mode);
      const err = throwsCode(
        () => CasStore.open({ path: join(folder, "cas.sqlite") }),
        "EUNSAFEDIR",
      );
      assert.equal(
        err.message.replace(pattern, "…"),
        `Refusing to use the folder "${folder}": …, so others could replace the files sqlink keeps there`,
      );
      assert.match(err.hint!, new RegExp(`chmod 700 '${folder}'`));
      assert.equal(err.exitCode, 1);
      assert.deepEqual(listDir(folder), [], "nothing was created in the folder");

      // An existing cache in such a folder is refused the same way, and left as it was.
      Deno.chmodSync(folder, 0o700);
      CasStore.open({ path: join(folder, "cas.sqlite") }).close();
      const before = Deno.readFileSync(join(folder, "cas.sqlite"));
      Deno.chmodSync(folder, mode);
      throwsCode(() => CasStore.open({ path: join(folder, "cas.sqlite") }), "EUNSAFEDIR");
      assert.deepEqual(Deno.readFileSync(join(folder, "cas.sqlite")), before);
      assert.deepEqual(listDir(folder), ["cas.sqlite"]);
      Deno.chmodSync(folder, 0o700);
    }
    // 0755 and 0750 are private enough: others may read, not write.
    for (const mode of [0o755, 0o750, 0o700, 0o500]) {
      const folder = join(dir.path, `ok-${mode.toString(8)}`);
      Deno.mkdirSync(folder);
      Deno.chmodSync(folder, mode);
      assert.equal(checkPrivateDir(folder), true);
      ensurePrivateDir(folder);
    }
    assert.equal(checkPrivateDir(join(dir.path, "missing")), false);
  },
});

Deno.test({
  name: "private files: a cache root whose ext/ or builds/ others can write to is refused",
  ignore: !posix,
  fn() {
    using dir = tempDir();
    const root = join(dir.path, "root");
    checkCacheRoot(root); // nothing there yet: nothing to refuse
    ensurePrivateDir(join(root, "ext"));
    ensurePrivateDir(join(root, "builds"));
    checkCacheRoot(root);
    for (const sub of ["", "ext", "builds"]) {
      const folder = join(root, sub);
      Deno.chmodSync(folder, 0o775);
      const err = throwsCode(() => checkCacheRoot(root), "EUNSAFEDIR");
      assert.match(err.message, new RegExp(`folder "${folder}"`));
      assert.match(err.hint!, new RegExp(`chmod 700 ${folder}\``));
      Deno.chmodSync(folder, 0o700);
    }
  },
});

Deno.test({
  name: "private files: an archive goes to a folder of the user's choosing, readable as before",
  ignore: !posix,
  fn() {
    using dir = tempDir();
    using store = openStore(dir.path);
    const blake3 = store.put(randomBytes(1000)).blake3;
    saveBundle(store, "shared", [{ extensionName: "one", contentHash: blake3, entryPoint: null }]);
    const out = join(dir.path, "team");
    Deno.mkdirSync(out);
    Deno.chmodSync(out, 0o775);
    withUmask(0o002, () => exportBundle(store, "shared", join(out, "shared.sqlink")));
    assert.deepEqual(listDir(out), ["shared.sqlink"]);
    // A file to share: the mode SQLite gives any new database (0644 less the umask).
    assert.equal(modeOf(join(out, "shared.sqlink")), 0o644);
  },
});
