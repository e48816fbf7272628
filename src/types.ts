import type { ContextCategory, PropagandaCategory } from './lexicon/types.js';

export type { ContextCategory, PropagandaCategory } from './lexicon/types.js';
export type Label = 'propaganda' | 'about_extremism' | 'benign';
export type Decision = 'allow' | 'review' | 'block';
export type IndicatorType = 'wallet' | 'url' | 'handle' | 'telegram' | 'email';

/** A span of one field that moved the score, for a reviewer to check. Offsets: UTF-16, end-exclusive, into the original field. */
export interface Evidence {
  field: string;
  start: number;
  end: number;
  /** the original text of the span */
  text: string;
  /** the lexicon form that matched (normalised), or the model's description of the span */
  match: string;
  gloss_en: string;
  category: PropagandaCategory | ContextCategory;
  entity?: string;
  source: 'lexicon' | 'model';
  /** lexicon entry id (or model head) that produced it */
  rule: string;
  /** evidence strength in [0, 1] */
  weight: number;
  /** set when a benign-sense phrase or an allow-list cancelled this evidence */
  suppressed_by?: string;
}

export interface Indicator {
  type: IndicatorType;
  value: string;
  field: string;
  start: number;
  end: number;
}

export interface FieldResult {
  lang: string;
  script: string;
  confidence: number;
  /** propaganda score of this field after context */
  score: number;
  parts?: Array<{ lang: string; script: string; start: number; end: number }>;
}

export interface Warning {
  code: string;
  message: string;
  field?: string;
}

export type CategoryMap<T> = Record<PropagandaCategory, T>;

export interface ScoreResult {
  id: string;
  flagged: boolean;
  decision: Decision;
  /** propaganda score in [0, 1] (the maximum category score) */
  score: number;
  label_scores: Record<Label, number>;
  categories: CategoryMap<boolean>;
  category_scores: CategoryMap<number>;
  context: { reporting: number; counter_speech: number; benign_sense: number };
  fields: Record<string, FieldResult>;
  evidence: Evidence[];
  indicators: Indicator[];
  actors: { creator?: string; owner?: string; contract?: string; collection?: string };
  content_hash: string;
  warnings: Warning[];
  /** the transformer's name and file hash; ngram_sha256 when an n-gram model was fused too */
  model: null | { name: string; sha256: string; ngram_sha256?: string };
  version: { raqib: string; lexicons: string; config: string };
}

export interface ErrorRecord {
  id?: string;
  line: number;
  error: { code: string; message: string; field?: string };
}

export type OutputRecord = ScoreResult | ErrorRecord;

export function isErrorRecord(r: OutputRecord): r is ErrorRecord {
  return 'error' in r;
}
