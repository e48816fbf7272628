import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dataPath } from '../paths.js';
import { PROPAGANDA_CATEGORIES, type PropagandaCategory } from '../lexicon/types.js';

export interface Thresholds {
  review: number;
  block: number;
}

export interface ScoringConfig {
  version: string;
  thresholds: {
    default: Thresholds;
    categories?: Partial<Record<PropagandaCategory, Partial<Thresholds>>>;
    languages?: Record<string, Partial<Thresholds> & { categories?: Partial<Record<PropagandaCategory, Partial<Thresholds>>> }>;
  };
  /** how much reporting / counter-speech context (in [0,1]) can lower a propaganda score */
  context_discount: number;
  /** share of the strongest context found anywhere in the record that applies to every field */
  record_context_share: number;
  max_field_length: number;
  max_fields: number;
}

export function loadConfig(path = dataPath('config', 'default.json')): { config: ScoringConfig; version: string } {
  const raw = readFileSync(path, 'utf8');
  const config = JSON.parse(raw) as ScoringConfig;
  return { config, version: configVersion(config) };
}

export function configVersion(config: ScoringConfig): string {
  const digest = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 12);
  return `${config.version}+${digest}`;
}

const resolved = new WeakMap<ScoringConfig, Map<string, Record<PropagandaCategory, Thresholds>>>();

/** Thresholds for one category in one language: language+category, language, category, default. */
export function thresholdsFor(config: ScoringConfig, category: PropagandaCategory, lang: string): Thresholds {
  let cache = resolved.get(config);
  if (!cache) resolved.set(config, (cache = new Map()));
  let byCat = cache.get(lang);
  if (!byCat) {
    byCat = {} as Record<PropagandaCategory, Thresholds>;
    for (const c of PROPAGANDA_CATEGORIES) byCat[c] = resolveThresholds(config, c, lang);
    cache.set(lang, byCat);
  }
  return byCat[category];
}

function resolveThresholds(config: ScoringConfig, category: PropagandaCategory, lang: string): Thresholds {
  const t = config.thresholds;
  const l = t.languages?.[lang];
  return {
    review: l?.categories?.[category]?.review ?? l?.review ?? t.categories?.[category]?.review ?? t.default.review,
    block: l?.categories?.[category]?.block ?? l?.block ?? t.categories?.[category]?.block ?? t.default.block,
  };
}

/** `--threshold 0.6` (review for all) or `--threshold review=0.6,block=0.9`. */
export function withThresholdOverride(config: ScoringConfig, spec: string): ScoringConfig {
  const next: ScoringConfig = JSON.parse(JSON.stringify(config));
  const set: Partial<Thresholds> = {};
  for (const part of spec.split(',')) {
    const [k, v] = part.includes('=') ? part.split('=') : ['review', part];
    const x = Number(v);
    if (!(k === 'review' || k === 'block') || !Number.isFinite(x) || x < 0 || x > 1) {
      throw new Error(`--threshold: expected a number in [0,1] or review=X,block=Y, got "${spec}"`);
    }
    set[k] = x;
  }
  // an explicit threshold replaces every per-category and per-language one
  next.thresholds = { default: { ...next.thresholds.default, ...set } };
  return next;
}
