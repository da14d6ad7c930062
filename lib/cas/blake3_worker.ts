/**
 * Worker entry: BLAKE3 of the pieces a big put writes into the shared ring
 * (lib/cas/blake3_ring.ts), in order, on a second core while the put stores them. Streamed
 * BLAKE3 in blake3-jit is plain JavaScript at ~450 MiB/s, as slow as the rest of a put
 * together, so running it beside the put instead of before it halves a big put.
 */
import { createHasher } from "blake3-jit";
import { Ctl, ringViews, SLOT_BYTES, SLOTS, State } from "./blake3_ring.ts";

interface Scope {
  onmessage: ((event: MessageEvent<SharedArrayBuffer>) => void) | null;
  close(): void;
}

const scope = globalThis as unknown as Scope;

scope.onmessage = (event) => {
  const { control, data, digest } = ringViews(event.data);
  // The put may have stopped waiting for this worker and hashed on its own.
  if (
    Atomics.compareExchange(control, Ctl.State, State.Starting, State.Running) !== State.Starting
  ) {
    scope.close();
    return;
  }
  try {
    const hasher = createHasher();
    for (let next = 0;; next++) {
      // Wait for piece `next`, or for the end. Events is read first: whatever the put does
      // after that changes it, so the wait cannot miss a wake-up.
      for (;;) {
        const seen = Atomics.load(control, Ctl.Events);
        if (Atomics.load(control, Ctl.Posted) > next) break;
        if (Atomics.load(control, Ctl.Ended) === 1) {
          digest.set(hasher.finalize());
          Atomics.store(control, Ctl.Done, 1);
          Atomics.notify(control, Ctl.Done);
          scope.close();
          return;
        }
        Atomics.wait(control, Ctl.Events, seen);
      }
      const slot = next % SLOTS;
      const length = Atomics.load(control, Ctl.Lengths + slot);
      hasher.update(data.subarray(slot * SLOT_BYTES, slot * SLOT_BYTES + length));
      Atomics.store(control, Ctl.Hashed, next + 1);
      Atomics.notify(control, Ctl.Hashed);
    }
  } catch {
    Atomics.store(control, Ctl.State, State.Failed);
    Atomics.store(control, Ctl.Done, 1);
    Atomics.notify(control, Ctl.Done);
    Atomics.notify(control, Ctl.Hashed);
    scope.close();
  }
};
