/**
 * The interrupter's thread (see interrupter.ts): on SIGINT it calls sqlite3_interrupt on
 * the connection the shared cell names, while the main thread may be inside a synchronous
 * sqlite3_step. The cell is [lock, pointer]: the main thread clears the pointer and waits
 * for the lock to be free before it closes a connection, so a pointer read here is never
 * one already closed.
 */
/// <reference lib="deno.worker" />

self.onmessage = (event: MessageEvent<{ library: string; cell: SharedArrayBuffer }>) => {
  const { library, cell } = event.data;
  const lib = Deno.dlopen(library, {
    sqlite3_interrupt: { parameters: ["pointer"], result: "void" },
  });
  const lock = new Int32Array(cell, 0, 1);
  const pointer = new BigInt64Array(cell, 8, 1);
  Deno.addSignalListener("SIGINT", () => {
    while (Atomics.compareExchange(lock, 0, 0, 1) !== 0) { /* the main thread is switching */ }
    try {
      const value = Atomics.load(pointer, 0);
      if (value !== 0n) lib.symbols.sqlite3_interrupt(Deno.UnsafePointer.create(value));
    } finally {
      Atomics.store(lock, 0, 0);
    }
  });
  self.postMessage("ready");
};
