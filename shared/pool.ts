// Bounded concurrency: `f` over the items with at most `n` in flight, the results in the items' order
// (the first failure rejects; the other workers finish the item they hold).
export async function inPool<T, R>(items: readonly T[], n: number, f: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]!, i);
      }
    }),
  );
  return out;
}
