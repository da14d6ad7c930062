/**
 * The browser row's workload, one function for both drivers: COUNT blobs of SIZE random
 * bytes put in one transaction (`putMany`), then each read back verified (`readKey`). It
 * uses no Deno or browser API beyond `crypto` and `performance`, so the page's worker
 * (browser_worker.ts) and the Deno side (browser.ts) run the same code.
 */
import type { CasStore } from "../../lib/cas/store.ts";

/** How many blobs, of how many bytes. */
export const COUNT = 1000;
export const SIZE = 4 * 1024;

/** Milliseconds for the puts and for the gets. */
export interface PutGetTimes {
  putMs: number;
  getMs: number;
}

/** Random blobs, each unique. */
export function randomBlobs(count: number, size: number): Uint8Array[] {
  return Array.from({ length: count }, () => {
    const bytes = new Uint8Array(size);
    crypto.getRandomValues(bytes);
    return bytes;
  });
}

/** Time putting `blobs` into the empty `store` in one transaction, then reading each back. */
export function putThenGet(store: CasStore, blobs: Uint8Array[]): PutGetTimes {
  let at = performance.now();
  const { results } = store.putMany(blobs.map((bytes) => ({ bytes })));
  const putMs = performance.now() - at;
  at = performance.now();
  for (const r of results) store.readKey(r.blake3);
  const getMs = performance.now() - at;
  if (results.length !== blobs.length || results.some((r) => !r.created)) {
    throw new Error("the store was not empty");
  }
  return { putMs, getMs };
}
