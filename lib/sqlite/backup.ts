/** SQLite's online backup: a whole attached database copied into another file. */
import { Database } from "./database.ts";
import { SqliteError } from "./error.ts";
import { cString, readCString } from "./text.ts";

/** Copy schema `source` of `db` into the file `path` (its "main"); throws SqliteError. */
export function backupTo(db: Database, path: string, source = "main"): void {
  const target = new Database(path);
  try {
    const lib = db.lib;
    const backup = lib.sqlite3_backup_init(
      target.handle,
      cString("main"),
      db.handle,
      cString(source),
    );
    if (backup === null) throw target.error(lib.sqlite3_extended_errcode(target.handle));
    let rc = lib.sqlite3_backup_step(backup, -1);
    const finish = lib.sqlite3_backup_finish(backup);
    if (rc === 101) rc = finish;
    if (rc !== 0) {
      throw new SqliteError(
        readCString(lib.sqlite3_errmsg(target.handle)) ?? "",
        rc,
        readCString(lib.sqlite3_errstr(rc)) ?? "",
      );
    }
  } finally {
    target.close();
  }
}
