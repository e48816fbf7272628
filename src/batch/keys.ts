import { adaptRecord } from '../adapter/record.js';
import type { RawRecord } from '../io/readers.js';

/**
 * The id `raqib score` gives a record (its `id`, `custom_id`, `contract:token_id` or `<source>:<line>`),
 * or null when its output has none (unparseable lines, records that are not objects).
 */
export function recordIdOf(raw: RawRecord, source: string): string | null {
  if ('error' in raw) return null;
  const a = adaptRecord(raw.value, { source, line: raw.line, maxFieldLength: Number.MAX_SAFE_INTEGER, maxFields: Number.MAX_SAFE_INTEGER });
  return a.ok ? a.record.id : (a.id ?? null);
}

/**
 * A multiset of strings kept as 96-bit hashes in one typed array (16 bytes a slot, at most 60 % full:
 * ≈ 27–53 bytes a key, against ≈ 100 for a Set of strings), so resuming a job of millions of records
 * does not need their ids as strings. Collisions need 2^48 keys to become likely.
 */
export class KeyMultiset {
  private table: Uint32Array;
  private mask: number;
  private used = 0;
  /** keys added and not yet taken */
  remaining = 0;
  private readonly h = new Uint32Array(3);

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity / 0.6) cap *= 2;
    this.table = new Uint32Array(cap * 4);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.remaining;
  }

  add(key: string): void {
    hash96(key, this.h);
    const slot = this.find(this.h[0], this.h[1], this.h[2]);
    const t = this.table;
    if (t[slot + 2] === 0) {
      t[slot] = this.h[0];
      t[slot + 1] = this.h[1];
      t[slot + 2] = this.h[2];
      this.used++;
    }
    t[slot + 3]++;
    this.remaining++;
    if (this.used > (this.mask + 1) * 0.6) this.grow();
  }

  /** Removes one occurrence; true when there was one. */
  take(key: string): boolean {
    if (this.remaining === 0) return false;
    hash96(key, this.h);
    const slot = this.find(this.h[0], this.h[1], this.h[2]);
    const t = this.table;
    if (t[slot + 2] === 0 || t[slot + 3] === 0) return false;
    t[slot + 3]--;
    this.remaining--;
    return true;
  }

  /** The slot holding this hash, or the empty slot where it would go (slot word 2 is never 0 when used). */
  private find(a: number, b: number, c: number): number {
    const t = this.table;
    let i = a & this.mask;
    for (;;) {
      const s = i * 4;
      if (t[s + 2] === 0 || (t[s] === a && t[s + 1] === b && t[s + 2] === c)) return s;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.mask = old.length / 2 - 1;
    for (let s = 0; s < old.length; s += 4) {
      if (old[s + 2] === 0) continue;
      const d = this.find(old[s], old[s + 1], old[s + 2]);
      this.table[d] = old[s];
      this.table[d + 1] = old[s + 1];
      this.table[d + 2] = old[s + 2];
      this.table[d + 3] = old[s + 3];
    }
  }
}

/** Three independent murmur3-style 32-bit hashes of the UTF-16 code units; the third is never 0. */
function hash96(s: string, out: Uint32Array): void {
  let h1 = 0x9747b28c;
  let h2 = 0x1b873593 ^ s.length;
  let h3 = 0x85ebca6b;
  const n = s.length;
  for (let i = 0; i < n; i += 2) {
    const k = s.charCodeAt(i) | (i + 1 < n ? s.charCodeAt(i + 1) << 16 : 0);
    h1 = mix(h1, k);
    h2 = mix(h2, k ^ 0x5bd1e995);
    h3 = mix(h3, Math.imul(k, 0x27d4eb2f) ^ i);
  }
  out[0] = fmix(h1 ^ n);
  out[1] = fmix(h2 ^ (n * 31));
  out[2] = fmix(h3 ^ (n * 131)) || 1;
}

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
