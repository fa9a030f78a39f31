/**
 * Groups a stream's items into batches for blocks: a batch closes before an item that would
 * take it past `maxBytes`, at `maxItems`, or once its first item has waited `maxWaitMs` for
 * company, so that sparse output (a frame a second) still streams while dense output (every
 * raw frame) makes blocks of bounded bytes. The stream's first item goes out alone at once
 * (the time to the first row). Items of different keys (frames and audio) never share a batch.
 */
export async function* batchItems<T>(
  items: AsyncIterable<T>,
  options: { maxBytes: number; maxItems: number; maxWaitMs: number; bytesOf: (item: T) => number; keyOf: (item: T) => string },
): AsyncGenerator<{ key: string; items: T[] }> {
  const iterator = items[Symbol.asyncIterator]();
  const open = new Map<string, { items: T[]; bytes: number; since: number }>();
  let next: Promise<IteratorResult<T>> | null = null;
  let first = true;
  try {
    for (;;) {
      next ??= iterator.next();
      const oldest = Math.min(...[...open.values()].map((b) => b.since));
      const waitMs = open.size ? Math.max(0, options.maxWaitMs - (performance.now() - oldest)) : Infinity;
      const result = await raceTimer(next, waitMs);
      if (result === 'timeout') {
        // The batch that has waited longest goes out (each key's own clock).
        const [key, batch] = [...open.entries()].reduce((a, b) => (b[1].since < a[1].since ? b : a));
        open.delete(key);
        yield { key, items: batch.items };
        continue;
      }
      next = null;
      if (result.done) break;
      const key = options.keyOf(result.value);
      const bytes = options.bytesOf(result.value);
      const full = open.get(key);
      if (full !== undefined && full.bytes + bytes > options.maxBytes) {
        open.delete(key);
        yield { key, items: full.items };
      }
      const batch = open.get(key) ?? { items: [], bytes: 0, since: performance.now() };
      open.set(key, batch);
      batch.items.push(result.value);
      batch.bytes += bytes;
      if (first || batch.bytes >= options.maxBytes || batch.items.length >= options.maxItems) {
        first = false;
        open.delete(key);
        yield { key, items: batch.items };
      }
    }
    for (const [key, batch] of open) yield { key, items: batch.items };
  } finally {
    await iterator.return?.();
  }
}

function raceTimer<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  if (ms === Infinity) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
