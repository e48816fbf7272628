/**
 * Map an async source through an async function with at most `window` calls in flight, yielding the
 * results in source order. The source is only read while fewer than `window` results wait, and the
 * next result is only awaited when the consumer asks for it: a slow writer stops the reader, so memory
 * stays bounded by `window` tasks whatever the input size.
 */
export async function* orderedMap<T, R>(source: AsyncIterable<T>, fn: (t: T) => Promise<R>, window: number): AsyncGenerator<R> {
  const it = source[Symbol.asyncIterator]();
  const inflight: Array<Promise<R>> = [];
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && inflight.length < Math.max(1, window)) {
        const next = await it.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        const p = fn(next.value);
        p.catch(() => {}); // observed when its turn comes; no unhandled rejection meanwhile
        inflight.push(p);
      }
      const head = inflight.shift();
      if (!head) return;
      yield await head;
    }
  } finally {
    if (!exhausted) await it.return?.(undefined);
  }
}
