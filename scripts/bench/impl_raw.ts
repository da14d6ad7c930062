/** The floor: plain node:sqlite, no hashing, no bookkeeping. */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { timed, type Timing } from "./common.ts";
import { checkBlob } from "./data.ts";

function open(dir: string): DatabaseSync {
  const db = new DatabaseSync(join(dir, "raw.sqlite"));
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
    CREATE TABLE t(id INTEGER PRIMARY KEY, data BLOB)`);
  return db;
}

function inTransaction(db: DatabaseSync, fn: () => void): void {
  db.exec("BEGIN");
  fn();
  db.exec("COMMIT");
}

/** Inserts in one transaction, selects by id in one transaction. */
export async function many(dir: string, blobs: Uint8Array[]): Promise<Timing> {
  const db = open(dir);
  try {
    const put = await timed(() =>
      inTransaction(db, () => {
        const insert = db.prepare("INSERT INTO t(id, data) VALUES (?, ?)");
        blobs.forEach((bytes, i) => insert.run(i + 1, bytes));
      })
    );
    const get = await timed(() =>
      inTransaction(db, () => {
        const select = db.prepare("SELECT data FROM t WHERE id = ?");
        blobs.forEach((bytes, i) => checkBlob(i, bytes, select.get(i + 1)!.data as Uint8Array));
      })
    );
    return { put, get };
  } finally {
    db.close();
  }
}

/** Read the whole file, one insert; one select, write the file. */
export async function file(dir: string, src: string, out: string): Promise<Timing> {
  const db = open(dir);
  try {
    const put = await timed(() => {
      const bytes = Deno.readFileSync(src);
      inTransaction(db, () => {
        db.prepare("INSERT INTO t(id, data) VALUES (?, ?)").run(1, bytes);
      });
    });
    const get = await timed(() => {
      let data: Uint8Array | undefined;
      inTransaction(db, () => {
        data = db.prepare("SELECT data FROM t WHERE id = ?").get(1)!.data as Uint8Array;
      });
      Deno.writeFileSync(out, data!);
    });
    return { put, get };
  } finally {
    db.close();
  }
}
