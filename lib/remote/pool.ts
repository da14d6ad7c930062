/** Run async jobs with at most `limit` at a time (SPEC §10: a bounded parallel pool). */

/** How many transfers run at once against one remote. */
export const PARALLEL_TRANSFERS = 16;

/**
 * Call `job` for each item, at most `limit` at once (with `firstAlone`, the first one before
 * any other); resolves with the results in the items' order. A job that throws rejects the whole run once the running jobs settle.
 *
 * @example
 * ```ts
 * const sizes = await inPool(["a", "b", "c"], 2, async (key) => (await Deno.stat(key)).size);
 * ```
 */
export async function inPool<T, R>(
  items: readonly T[],
  limit: number,
  job: (item: T, index: number) => Promise<R>,
  options: { firstAlone?: boolean } = {},
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  // One request first, alone: a remote that fails then is asked nothing more, instead of
  // getting a whole pool's worth of requests already on their way.
  if (options.firstAlone && items.length > 0) {
    results[0] = await job(items[0], 0);
    next = 1;
  }
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const index = next++;
      try {
        results[index] = await job(items[index], index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
