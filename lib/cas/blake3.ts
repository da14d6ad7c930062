/**
 * BLAKE3, the cas-cache's identity (SPEC §3.2), on its own: verifying a materialized
 * extension needs only this, and must not pay for loading node:crypto (~13 ms of Deno's
 * Node layer) on the way to a bundle launch.
 */
import { hash as blake3OneShot } from "blake3-jit";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

/** BLAKE3 hex of `bytes`, in one call (the fast path for data already in memory). */
export function blake3Hex(bytes: Uint8Array): string {
  return toHex(blake3OneShot(bytes));
}
