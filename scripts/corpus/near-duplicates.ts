import { createHash } from 'node:crypto';

/**
 * Near-duplicate pairs by MinHash over character 5-gram shingles with locality-sensitive hashing
 * (16 bands of 4 rows), confirmed by the exact Jaccard similarity of the shingle sets.
 */
const BANDS = 16;
const ROWS = 4;
const K = BANDS * ROWS;
const SEEDS = Array.from({ length: K }, (_, i) => createHash('sha256').update(`minhash:${i}`).digest().readUInt32BE(0));

export function normaliseForDup(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[\u200B-\u200F\u2060\u0640\u064B-\u0652]/g, '').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

export function shingles(s: string, k = 5): Set<string> {
  const t = normaliseForDup(s);
  const out = new Set<string>();
  if (t.length <= k) {
    if (t) out.add(t);
    return out;
  }
  for (let i = 0; i + k <= t.length; i++) out.add(t.slice(i, i + k));
  return out;
}

function fnv(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

export interface Item {
  key: string;
  group: string;
  text: string;
}

/** Pairs from different groups (or any pair when `crossOnly` is false) with Jaccard ≥ threshold. */
export function nearDuplicates(items: Item[], threshold: number, crossOnly = true): Array<{ a: Item; b: Item; similarity: number }> {
  const sh = items.map((it) => shingles(it.text));
  const buckets = new Map<string, number[]>();
  sh.forEach((set, idx) => {
    if (set.size === 0) return;
    const sig = SEEDS.map((seed) => {
      let m = 0xffffffff;
      for (const s of set) {
        const h = fnv(s, seed);
        if (h < m) m = h;
      }
      return m;
    });
    for (let b = 0; b < BANDS; b++) {
      const key = `${b}:${sig.slice(b * ROWS, (b + 1) * ROWS).join(',')}`;
      const list = buckets.get(key) ?? [];
      list.push(idx);
      buckets.set(key, list);
    }
  });
  const seen = new Set<string>();
  const out: Array<{ a: Item; b: Item; similarity: number }> = [];
  for (const list of buckets.values()) {
    if (list.length < 2 || list.length > 200) continue;
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++) {
        const [x, y] = [list[i], list[j]];
        if (crossOnly && items[x].group === items[y].group) continue;
        const pk = x < y ? `${x}:${y}` : `${y}:${x}`;
        if (seen.has(pk)) continue;
        seen.add(pk);
        const sim = jaccard(sh[x], sh[y]);
        if (sim >= threshold) out.push({ a: items[x], b: items[y], similarity: sim });
      }
  }
  return out.sort((p, q) => q.similarity - p.similarity);
}
