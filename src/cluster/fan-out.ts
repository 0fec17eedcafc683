export type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };

/**
 * Runs task over items with at most `concurrency` in flight, in input order. A failing or slow item
 * never stops the others: each result is settled on its own.
 */
export async function fanOut<I, T>(items: readonly I[], concurrency: number, task: (item: I) => Promise<T>): Promise<Settled<T>[]> {
  const results: Settled<T>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { ok: true, value: await task(items[index]) };
      } catch (error) {
        results[index] = { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker);
  await Promise.all(workers);
  return results;
}
