/**
 * The OpenAI moderation shape over raqib: each input string is scored as the record `{text}` and
 * answered as `{flagged, categories, category_scores}` with raqib's six categories, plus raqib's
 * `decision`, `evidence` and the languages found in the string.
 */
import { PROPAGANDA_CATEGORIES } from '../lexicon/types.js';
import type { CategoryMap, Decision, Evidence, OutputRecord } from '../types.js';

export interface LanguageSpan {
  lang: string;
  script: string;
  /** UTF-16 offsets into the input string, end-exclusive */
  start: number;
  end: number;
}

export interface ModerationResult {
  flagged: boolean;
  categories: CategoryMap<boolean>;
  category_scores: CategoryMap<number>;
  decision: Decision;
  evidence: Evidence[];
  /** the input's language as a whole (`mul` when mixed, `und` when it has none) */
  language: { lang: string; script: string; confidence: number };
  /** each language in the input with its span (one span unless the text is mixed) */
  languages: LanguageSpan[];
}

export interface ModerationResponse {
  id: string;
  model: string;
  results: ModerationResult[];
}

export function toModerationResult(input: string, rec: OutputRecord): ModerationResult {
  if ('error' in rec) {
    // the only way a {text} record fails is an empty or blank string: nothing to flag
    return {
      flagged: false,
      categories: Object.fromEntries(PROPAGANDA_CATEGORIES.map((c) => [c, false])) as CategoryMap<boolean>,
      category_scores: Object.fromEntries(PROPAGANDA_CATEGORIES.map((c) => [c, 0])) as CategoryMap<number>,
      decision: 'allow',
      evidence: [],
      language: { lang: 'und', script: 'Zyyy', confidence: 0 },
      languages: [],
    };
  }
  const f = rec.fields.text;
  const languages: LanguageSpan[] = !f ? [] : f.parts?.length ? f.parts.map((p) => ({ lang: p.lang, script: p.script, start: p.start, end: p.end })) : [{ lang: f.lang, script: f.script, start: 0, end: input.length }];
  return {
    flagged: rec.flagged,
    categories: rec.categories,
    category_scores: rec.category_scores,
    decision: rec.decision,
    evidence: rec.evidence,
    language: f ? { lang: f.lang, script: f.script, confidence: f.confidence } : { lang: 'und', script: 'Zyyy', confidence: 0 },
    languages,
  };
}
