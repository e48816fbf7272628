/**
 * A map that holds at most `size` entries, forgetting the oldest insertion first. raqib caches pure
 * functions of a text (normalisation, language, matches, token ids) with it: catalogues repeat attribute
 * values and boilerplate, and a bound keeps memory level on inputs of any length.
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly size: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (this.map.size >= this.size) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, value);
  }

  /** The cached value of `key`, computing and keeping it on a miss. */
  getOrCompute(key: K, compute: () => V): V {
    const hit = this.map.get(key);
    if (hit !== undefined) return hit;
    const value = compute();
    this.set(key, value);
    return value;
  }
}
