/**
 * node:sqlite in the browser build (build.ts maps the specifier here): there is no file to
 * open in a browser, and the code that opens one (lib/db/node.ts, reached through
 * lib/cas/db.ts) is never called there; the cache is opened by cache.ts.
 */
import { SqlinkError } from "../errors.ts";

/** Refuses to open anything. */
export class DatabaseSync {
  constructor() {
    throw new SqlinkError("EBROWSER", "Files cannot be opened as databases in the browser", {
      hint: "The page's cache is opened by lib/web/cache.ts on sqlite-wasm",
    });
  }
}
