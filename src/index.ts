/**
 * raqib — offline scorer for violent-extremist propaganda in NFT metadata.
 *
 *   import { createScorer } from 'raqib';
 *   const scorer = await createScorer();
 *   const result = scorer.score({ name: '…', description: '…' });
 */
import { LanguageDetector, type LanguageResult } from './language/detect.js';
import { normalizeViews } from './normalize/pipeline.js';

export { createScorer, type Scorer, type ScorerOptions, type ScoreContext } from './scorer.js';
export { normalize } from './normalize/pipeline.js';
export { LanguageDetector, SUPPORTED_LANGUAGES, type LanguageResult, type LanguagePart, type LanguageGuess } from './language/detect.js';
export { readRecords, detectFormat, type RawRecord, type InputFormat } from './io/readers.js';
export { extractIndicators } from './lexicon/indicators.js';
export { loadLexicons, LexiconError } from './lexicon/load.js';
export type { LexiconEntry, LexiconFile, WatchlistEntry } from './lexicon/types.js';
export type { ScoringConfig, Thresholds } from './score/config.js';
export * from './types.js';

let shared: Promise<LanguageDetector> | null = null;

/**
 * Language of one text (NFKC and invisible characters are handled here). Loads the detectors once
 * per process; for many calls in a hot path use `scorer.detectLanguage` or a LanguageDetector.
 */
export async function detectLanguage(text: string): Promise<LanguageResult> {
  shared ??= LanguageDetector.create();
  return (await shared).detect(normalizeViews(text).light.text);
}
