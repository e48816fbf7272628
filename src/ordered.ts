/**
 * Items in groups: the first of `first` items, each next one twice as large up to `size`, the last
 * group shorter; nothing is dropped. Small first groups let a stream's first result out early, even
 * while later groups are being prepared beside it.
 */
export async function* inGroups<T>(items: AsyncIterable<T> | Iterable<T>, size: number, first = size): AsyncGenerator<T[]> {
  let group: T[] = [];
  let limit = Math.min(first, size);
  for await (const item of items as AsyncIterable<T>) {
    group.push(item);
    if (group.length >= limit) {
      limit = Math.min(size, limit * 2);
      yield group;
      group = [];
    }
  }
  if (group.length) yield group;
}

/**
 * `fn` over the items with up to `depth` calls under way at once, results in input order. With the model
 * in its own thread, the scorer prepares batch k+1 (lexicons, language) while the model reads batch k;
 * awaiting each batch before starting the next would leave one of the two threads idle at any time.
 * Memory is bounded by `depth` items in flight.
 */
export async function* mapOrdered<T, R>(items: AsyncIterable<T> | Iterable<T>, fn: (item: T) => Promise<R>, depth: number): AsyncGenerator<R> {
  const inFlight: Array<Promise<R>> = [];
  try {
    for await (const item of items as AsyncIterable<T>) {
      const p = fn(item);
      p.catch(() => {}); // awaited in order below; an early failure must not surface as unhandled first
      inFlight.push(p);
      if (inFlight.length >= depth) yield await inFlight.shift()!;
    }
    while (inFlight.length) yield await inFlight.shift()!;
  } finally {
    // a consumer that stops early (or a failure) leaves no call running unobserved
    await Promise.allSettled(inFlight);
  }
}
