/** The start-up floor: a bare script that opens node:sqlite and prints `select 1`. */
import { DatabaseSync } from "node:sqlite";

const db = new DatabaseSync(":memory:");
const row = db.prepare("select 1").get() as Record<string, number>;
console.log(String(Object.values(row)[0]));
db.close();
