import type { LexiconMatch } from '../lexicon/matcher.js';
import { PROPAGANDA_CATEGORIES, isPropagandaCategory, type PropagandaCategory } from '../lexicon/types.js';
import type { CategoryMap } from '../types.js';

/**
 * The lexicon scorer: pure functions from a field's matches to category scores.
 *
 * Evidence combines by noisy-OR (independent cues: 1 − Π(1 − w)), one vote per lexicon entry.
 * A reference to a group (organisation, outlet, leader, slogan, symbol) strengthens every propaganda
 * category that has a cue of its own ("donate" + a group name is fundraising for that group), but a
 * name alone stays a branding mention. Context (reporting, counter-speech) is scored separately and
 * discounts the propaganda score later, at record level.
 */
export interface FieldLexiconScore {
  /** category scores before context */
  raw: CategoryMap<number>;
  /** how much the field talks about extremism at all, before context */
  topic: number;
  reporting: number;
  counter_speech: number;
  benign_sense: number;
}

const GROUP_KINDS = new Set(['organisation', 'outlet', 'leader', 'slogan', 'symbol']);

export function noisyOr(weights: Iterable<number>): number {
  let keep = 1;
  for (const w of weights) keep *= 1 - Math.min(1, Math.max(0, w));
  return 1 - keep;
}

export function emptyCategories<T>(v: T): CategoryMap<T> {
  return { glorification: v, recruitment: v, fundraising: v, instructional: v, branding: v, threat: v };
}

/** `matches` must already be gated and have suppressed ones removed. */
export function scoreFieldMatches(matches: LexiconMatch[], extra: Array<{ category: PropagandaCategory; weight: number; key: string }> = []): FieldLexiconScore {
  const byCat = new Map<string, Map<string, number>>();
  const group = new Map<string, number>();
  const add = (cat: string, key: string, w: number) => {
    const m = byCat.get(cat) ?? new Map<string, number>();
    m.set(key, Math.max(m.get(key) ?? 0, w));
    byCat.set(cat, m);
  };
  for (const m of matches) {
    // one vote per entity (ISIS named three times, or in three languages' files, is one reference)
    const key = m.entry.entity ? `entity:${m.entry.entity}` : m.entry.id;
    add(m.entry.category, key, m.view === 'fuzzy' ? m.entry.weight * 0.8 : m.entry.weight);
    if (GROUP_KINDS.has(m.entry.kind)) group.set(key, Math.max(group.get(key) ?? 0, m.entry.weight));
  }
  for (const x of extra) add(x.category, x.key, x.weight);
  const raw = emptyCategories(0);
  const all: number[] = [];
  for (const c of PROPAGANDA_CATEGORIES) {
    const cues = byCat.get(c);
    if (!cues) continue;
    const own = [...cues.values()];
    all.push(...own);
    // group reference strengthens a category's own cues; branding is the group reference itself
    const onlyGroup = [...cues.keys()].every((k) => group.has(k));
    const otherGroups = [...group.entries()].filter(([k]) => !cues.has(k)).map(([, w]) => w);
    raw[c] = c === 'branding' || onlyGroup ? noisyOr(own) : noisyOr([...own, noisyOr(otherGroups)]);
  }
  const ctx = (cat: string) => noisyOr(byCat.get(cat)?.values() ?? []);
  return { raw, topic: noisyOr(all), reporting: ctx('reporting'), counter_speech: ctx('counter_speech'), benign_sense: ctx('benign_sense') };
}

export function isPropagandaMatch(m: LexiconMatch): boolean {
  return isPropagandaCategory(m.entry.category);
}
