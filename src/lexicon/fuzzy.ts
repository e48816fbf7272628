import { createRequire } from 'node:module';

/**
 * One-edit fuzzy lookup for long single-word names (organisations, outlets, leaders): catches a
 * dropped or doubled letter (`atomwafen`, `al-furqaan`) that no normaliser can undo. A deletion index
 * (SymSpell's idea) finds candidates in constant time; natural's Levenshtein distance confirms them.
 */
const require = createRequire(import.meta.url);
// natural's submodule, not its index (the index loads dotenv, which prints to stdout)
const levenshtein: (a: string, b: string) => number = require('natural/lib/natural/distance/levenshtein_distance.js').LevenshteinDistance;

export const FUZZY_MIN_LENGTH = 6;

export class FuzzyIndex<T> {
  private readonly index = new Map<string, Array<{ term: string; value: T }>>();
  /**
   * One edit cannot touch both a term's first two and last two letters when the term has six or
   * more, so a near match shares its prefix or its suffix: two set look-ups rule out most tokens.
   */
  private readonly prefixes = new Set<string>();
  private readonly suffixes = new Set<string>();

  add(term: string, value: T): void {
    if (term.length < FUZZY_MIN_LENGTH) return;
    this.prefixes.add(term.slice(0, 2));
    this.suffixes.add(term.slice(-2));
    for (const key of deletions(term)) {
      const list = this.index.get(key) ?? [];
      list.push({ term, value });
      this.index.set(key, list);
    }
  }

  /** Terms within one edit of `token` (not equal to it: exact matches are the matcher's job). */
  lookup(token: string): Array<{ term: string; value: T }> {
    if (token.length < FUZZY_MIN_LENGTH - 1) return [];
    if (!this.prefixes.has(token.slice(0, 2)) && !this.suffixes.has(token.slice(-2))) return [];
    const out: Array<{ term: string; value: T }> = [];
    const seen = new Set<string>();
    for (const key of deletions(token)) {
      for (const cand of this.index.get(key) ?? []) {
        if (cand.term === token || seen.has(cand.term)) continue;
        seen.add(cand.term);
        if (levenshtein(cand.term, token) <= 1) out.push(cand);
      }
    }
    return out;
  }

  get size(): number {
    return this.index.size;
  }
}

function deletions(s: string): string[] {
  const out = [s];
  for (let i = 0; i < s.length; i++) out.push(s.slice(0, i) + s.slice(i + 1));
  return out;
}
