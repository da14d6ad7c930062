/**
 * The floor of a script command's start-up: a bare script that opens the cas-cache file
 * named by its argument with node:sqlite and lists its artifacts, as `sqlink cas ls` does.
 */
import { DatabaseSync } from "node:sqlite";

const db = new DatabaseSync(Deno.args[0]);
const rows = db.prepare("SELECT blake3, size FROM __cas_artifact ORDER BY created_at").all();
console.log(rows.length);
db.close();
