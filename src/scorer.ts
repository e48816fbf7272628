import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { adaptRecord, type AdaptedRecord } from './adapter/record.js';
import { LanguageDetector, type LanguageResult } from './language/detect.js';
import { canonicalIndicator, extractIndicators } from './lexicon/indicators.js';
import { loadLexicons } from './lexicon/load.js';
import { LexiconMatcher, type LexiconMatch } from './lexicon/matcher.js';
import { isPropagandaCategory, PROPAGANDA_CATEGORIES, type LexiconFile, type PropagandaCategory, type WatchlistEntry } from './lexicon/types.js';
import { normalizeViews } from './normalize/pipeline.js';
import { configVersion, loadConfig, thresholdsFor, withThresholdOverride, type ScoringConfig } from './score/config.js';
import { emptyCategories, scoreFieldMatches, type FieldLexiconScore } from './score/lexicon-score.js';
import { packageRoot } from './paths.js';
import type { Decision, ErrorRecord, Evidence, FieldResult, Indicator, OutputRecord, ScoreResult, Warning } from './types.js';
import { collapseDuplicates, gateByLanguage, suppressBenign } from './score/gate.js';
import { noisyOr } from './score/lexicon-score.js';

export interface ScorerOptions {
  /** extra lexicon / watch-list / allow-list files (same schema as data/lexicons) */
  lexicons?: string[];
  /** false: use only the `lexicons` given, not the shipped ones */
  shippedLexicons?: boolean;
  /** a scoring config file (thresholds, context discount); default data/config/default.json */
  configPath?: string;
  /** an already-built config object (wins over configPath) */
  config?: ScoringConfig;
  /** `0.6` or `review=0.6,block=0.9`: one threshold for every category and language */
  threshold?: string;
  /** only score these field paths (see schema/README.md) */
  fields?: string[];
}

export interface ScoreContext {
  /** file name (or `stdin`) for the fallback id `<source>:<line>` */
  source?: string;
  /** 1-based line / record number in the input */
  line?: number;
  /** problems the reader already repaired (e.g. invalid UTF-8), carried into the result */
  warnings?: Warning[];
}

export interface Scorer {
  score(record: unknown, ctx?: ScoreContext): OutputRecord;
  scoreMany(records: AsyncIterable<unknown> | Iterable<unknown>, ctx?: { source?: string }): AsyncGenerator<OutputRecord>;
  detectLanguage(text: string): LanguageResult;
  readonly version: ScoreResult['version'];
}

const TEXT_CACHE_SIZE = 20000;
const RAQIB_VERSION: string = JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8')).version;

export async function createScorer(options: ScorerOptions = {}): Promise<Scorer> {
  const lex = loadLexicons(options.lexicons ?? [], options.shippedLexicons ?? true);
  let config = options.config ?? loadConfig(options.configPath).config;
  if (options.threshold) config = withThresholdOverride(config, options.threshold);
  const detector = await LanguageDetector.create();
  return new LexiconScorer(lex.files, lex.version, config, detector, options.fields);
}

/** What depends on a text alone (cached per distinct text); indicators carry no field path yet. */
interface TextAnalysis {
  lang: LanguageResult;
  matches: LexiconMatch[];
  indicators: Indicator[];
}

interface FieldMatches {
  indicators: Indicator[];
  path: string;
  text: string;
  lang: LanguageResult;
  matches: LexiconMatch[];
}

interface FieldWork {
  path: string;
  text: string;
  lang: LanguageResult;
  matches: LexiconMatch[];
  suppressed: Array<{ match: LexiconMatch; by: string }>;
  lex: FieldLexiconScore;
  indicators: Indicator[];
}

class LexiconScorer implements Scorer {
  private readonly matcher: LexiconMatcher;
  private readonly watchlist: Map<string, WatchlistEntry>;
  private readonly textCache = new Map<string, TextAnalysis>();
  readonly version: ScoreResult['version'];

  constructor(
    files: LexiconFile[],
    lexiconVersion: string,
    private readonly config: ScoringConfig,
    private readonly detector: LanguageDetector,
    private readonly fieldFilter?: string[],
  ) {
    this.matcher = new LexiconMatcher(files);
    this.watchlist = new Map(files.flatMap((f) => f.watchlist ?? []).map((w) => [canonicalIndicator(w.value), w]));
    this.version = { raqib: RAQIB_VERSION, lexicons: lexiconVersion, config: configVersion(config) };
  }

  detectLanguage(text: string): LanguageResult {
    return this.detector.detect(normalizeViews(text).light.text);
  }

  async *scoreMany(records: AsyncIterable<unknown> | Iterable<unknown>, ctx: { source?: string } = {}): AsyncGenerator<OutputRecord> {
    let line = 0;
    for await (const r of records as AsyncIterable<unknown>) {
      line++;
      yield this.score(r, { source: ctx.source, line });
    }
  }

  score(value: unknown, ctx: ScoreContext = {}): OutputRecord {
    const line = ctx.line ?? 1;
    const adapted = adaptRecord(value, {
      source: ctx.source ?? 'input',
      line,
      maxFieldLength: this.config.max_field_length,
      maxFields: this.config.max_fields,
      fields: this.fieldFilter,
    });
    if (!adapted.ok) {
      const err: ErrorRecord = { line, error: adapted.error };
      if (adapted.id !== undefined) err.id = adapted.id;
      return err;
    }
    return this.scoreAdapted(adapted.record, ctx.warnings ?? []);
  }

  private scoreAdapted(rec: AdaptedRecord, readerWarnings: Warning[]): ScoreResult {
    const warnings: Warning[] = [...readerWarnings, ...rec.warnings];
    const found = rec.fields.map((f) => this.fieldMatches(f.path, f.text));
    // a benign sense found anywhere frames the whole listing: "Egyptian mythology" in the
    // description makes "Isis" in the title the goddess (gate.ts decides which senses act at a distance)
    const recordBenign = found.flatMap((f) => f.matches.filter((m) => m.entry.kind === 'benign_sense'));
    const work: FieldWork[] = found.map((f) => this.scoreField(f, recordBenign));
    // reporting and counter-speech cues are independent signs that the text is about, not for
    const contextOf = (w: FieldWork) => noisyOr([w.lex.reporting, w.lex.counter_speech]);
    const recordContext = Math.max(0, ...work.map(contextOf));
    const categoryScores = emptyCategories(0);
    const categories = emptyCategories(false);
    const fields: Record<string, FieldResult> = {};
    let decision: Decision = 'allow';
    for (const w of work) {
      const ctx = Math.max(contextOf(w), recordContext * this.config.record_context_share);
      const factor = 1 - this.config.context_discount * ctx;
      let fieldScore = 0;
      for (const c of PROPAGANDA_CATEGORIES) {
        const s = round(w.lex.raw[c] * factor);
        fieldScore = Math.max(fieldScore, s);
        categoryScores[c] = Math.max(categoryScores[c], s);
        const t = thresholdsFor(this.config, c, w.lang.lang);
        if (s >= t.review && s > 0) {
          categories[c] = true;
          if (decision === 'allow') decision = 'review';
        }
        if (s >= t.block && s > 0) decision = 'block';
      }
      fields[w.path] = fieldResult(w.lang, fieldScore);
    }
    const score = Math.max(0, ...Object.values(categoryScores));
    const topic = Math.max(0, ...work.map((w) => w.lex.topic));
    const reporting = Math.max(0, ...work.map((w) => w.lex.reporting));
    const counter = Math.max(0, ...work.map((w) => w.lex.counter_speech));
    const benignSense = Math.max(0, ...work.map((w) => w.lex.benign_sense));
    const about = topic > 0 ? (1 - score) * Math.max(topic, recordContext) : 0;
    return {
      id: rec.id,
      flagged: decision !== 'allow',
      decision,
      score,
      label_scores: { propaganda: score, about_extremism: round(about), benign: round(1 - score - round(about)) },
      categories,
      category_scores: categoryScores,
      context: { reporting: round(reporting), counter_speech: round(counter), benign_sense: round(benignSense) },
      fields,
      evidence: work.flatMap((w) => evidenceOf(w)),
      indicators: work.flatMap((w) => w.indicators),
      actors: rec.actors,
      content_hash: contentHash(rec),
      warnings,
      model: null,
      version: this.version,
    };
  }

  /**
   * Normalisation, language and matches depend on the text alone: attribute values and collection
   * boilerplate repeat across records, so they are computed once per distinct text (bounded cache).
   */
  private analyseText(text: string): TextAnalysis {
    const hit = this.textCache.get(text);
    if (hit) return hit;
    const views = normalizeViews(text);
    const res = { lang: this.detector.detect(views.light.text), matches: this.matcher.match(views), indicators: extractIndicators(text, '') };
    if (this.textCache.size >= TEXT_CACHE_SIZE) this.textCache.delete(this.textCache.keys().next().value!);
    this.textCache.set(text, res);
    return res;
  }

  private fieldMatches(path: string, text: string): FieldMatches {
    const { lang, matches, indicators } = this.analyseText(text);
    return { path, text, lang, matches: collapseDuplicates(gateByLanguage(matches, lang), lang), indicators: indicators.map((i) => ({ ...i, field: path })) };
  }

  private scoreField(f: FieldMatches, recordBenign: LexiconMatch[]): FieldWork {
    const { path, text, lang } = f;
    const own = new Set(f.matches);
    const others = recordBenign.filter((b) => !own.has(b));
    const { kept: keptAll, suppressed } = suppressBenign([...f.matches, ...others], (id) => this.matcher.suppressionTargets(id), own);
    const kept = keptAll.filter((m) => own.has(m));
    const indicators = f.indicators;
    const extra: Array<{ category: PropagandaCategory; weight: number; key: string }> = [];
    const watchMatches: LexiconMatch[] = [];
    for (const ind of indicators) {
      const w = this.watchlist.get(canonicalIndicator(ind.value));
      if (!w) continue;
      extra.push({ category: w.category, weight: w.weight, key: `watchlist:${canonicalIndicator(ind.value)}` });
      watchMatches.push({
        entry: { id: `watchlist.${ind.type}`, term: w.value, lang: 'mul', kind: 'cue', category: w.category, weight: w.weight, gloss_en: w.note ?? `${ind.type} on the user's watch-list`, source: 'user watch-list' },
        start: ind.start,
        end: ind.end,
        text: ind.value,
        match: canonicalIndicator(w.value),
        view: 'base',
      });
    }
    const lex = scoreFieldMatches(kept, extra);
    return { path, text, lang, matches: [...kept, ...watchMatches], suppressed, lex, indicators };
  }
}

function evidenceOf(w: FieldWork): Evidence[] {
  const one = (m: LexiconMatch, by?: string): Evidence => {
    const e: Evidence = {
      field: w.path,
      start: m.start,
      end: m.end,
      text: m.text,
      match: m.view === 'fuzzy' ? `${m.match} (fuzzy)` : m.match,
      gloss_en: m.entry.gloss_en,
      category: m.entry.category,
      source: 'lexicon',
      rule: m.entry.id,
      weight: m.view === 'fuzzy' ? round(m.entry.weight * 0.8) : m.entry.weight,
    };
    if (m.entry.entity) e.entity = m.entry.entity;
    if (by) e.suppressed_by = by;
    return e;
  };
  return [...w.matches.map((m) => one(m)), ...w.suppressed.map((s) => one(s.match, s.by))].sort((a, b) => a.start - b.start || a.end - b.end);
}

function fieldResult(lang: LanguageResult, score: number): FieldResult {
  const f: FieldResult = { lang: lang.lang, script: lang.script, confidence: lang.confidence, score };
  if (lang.parts) f.parts = lang.parts.map((p) => ({ lang: p.lang, script: p.script, start: p.start, end: p.end }));
  return f;
}

/** sha256 over the scored fields (path and text), so identical content is recognisable across records. */
function contentHash(rec: AdaptedRecord): string {
  const h = createHash('sha256');
  for (const f of [...rec.fields].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) h.update(`${f.path}\u0000${f.text}\u0000`);
  return `sha256:${h.digest('hex')}`;
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

export { isPropagandaCategory };
