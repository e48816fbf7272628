import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BoundedCache } from './bounded-cache.js';
import { adaptRecord, type AdaptedRecord, type TextField } from './adapter/record.js';
import { LanguageDetector, type LanguageResult } from './language/detect.js';
import { canonicalIndicator, extractIndicators } from './lexicon/indicators.js';
import { loadLexicons } from './lexicon/load.js';
import { LexiconMatcher, type LexiconMatch } from './lexicon/matcher.js';
import { PROPAGANDA_CATEGORIES, type LexiconFile, type PropagandaCategory, type WatchlistEntry } from './lexicon/types.js';
import type { ModelInfo, ModelPrediction, TextClassifier } from './model/classifier.js';
import { DEFAULT_MODEL_DIR } from './model/location.js';
import { modelParts, type ModelPart } from './model/input.js';
import { ModelThread } from './model/thread.js';
import { inGroups, mapOrdered } from './ordered.js';
import { normalize, normalizeViews } from './normalize/pipeline.js';
import { OcrEngine, withOcrText, type OcrRecordOptions, type OcrScorerOptions } from './ocr/index.js';
import { packageRoot } from './paths.js';
import { configVersion, loadConfig, thresholdsFor, withThresholdOverride, type ScoringConfig } from './score/config.js';
import { fuse, fusedCategories, fusionFeatures, missingFeatures, FEATURES, type FeatureName, type FusionParams, type LexiconSummary } from './score/fuse.js';
import { NgramClassifier, type NgramPrediction } from './ngram/classifier.js';
import { collapseDuplicates, gateByLanguage, suppressBenign } from './score/gate.js';
import { emptyCategories, noisyOr, scoreFieldMatches, type FieldLexiconScore } from './score/lexicon-score.js';
import type { Decision, ErrorRecord, Evidence, FieldResult, Indicator, OutputRecord, ScoreResult, Warning } from './types.js';

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
  /**
   * The model directory (Hugging Face layout, see models/README.md). Default: the shipped model when it
   * is present; `false`: lexicons only.
   */
  model?: string | false;
  /** which ONNX file of the model: `q8` (onnx/model_quantized.onnx, default) or `fp32` (onnx/model.onnx) */
  dtype?: 'q8' | 'fp32';
  /** records per model call (default DEFAULT_BATCH_SIZE, 32); scoreMany's groups start at this size (see STREAM_GROUP) */
  batchSize?: number;
  /**
   * true: run the transformer in a worker thread of its own, so that it reads one group while this
   * thread prepares the next (scoreMany then keeps three groups under way). On 2 cores: ~13 % more
   * records/s, for ~60 MB more peak memory (`npm run bench`). Default false: everything in the
   * calling thread.
   */
  modelThread?: boolean;
  /** false: one model's own probability is the score, without fusion with the lexicons (see `alone`) */
  fusion?: boolean;
  /**
   * With `fusion: false`, which of the model directory's two models gives the score: the transformer
   * (default) or the character n-gram model (`ngram.json`). For measuring each part on its own.
   */
  alone?: 'transformer' | 'ngram';
  /**
   * Read the text in each record's image (image, image_url, animation_url) with offline OCR and score
   * it as the field image_ocr. Local files only under `imageRoot`; no network unless `ipfsGateway`.
   */
  ocr?: OcrScorerOptions;
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
  /** One record: the lexicons, and the model when one is loaded. */
  score(record: unknown, ctx?: ScoreContext): Promise<OutputRecord>;
  /** Many records, in order; model calls are batched across records. */
  scoreMany(records: AsyncIterable<unknown> | Iterable<unknown>, ctx?: { source?: string }): AsyncGenerator<OutputRecord>;
  /** Several records at once (one model call for all), in order. */
  scoreBatch(items: Array<{ record: unknown; ctx?: ScoreContext }>): Promise<OutputRecord[]>;
  /** The lexicon scorer alone, synchronously (what `model: false` gives). */
  scoreLexicon(record: unknown, ctx?: ScoreContext): OutputRecord;
  detectLanguage(text: string): LanguageResult;
  readonly version: ScoreResult['version'];
  /** the loaded model, or null for lexicons only */
  readonly model: ModelInfo | null;
  /**
   * Groups worth having under way at once (scoreMany and `raqib score` use it): three with
   * the model in a thread of its own, 1 otherwise (in one thread, batches waiting only delay results).
   */
  readonly batchesInFlight: number;
  /** Records per scoreBatch call when a stream is scored (scoreMany and `raqib score`; see STREAM_GROUP). */
  readonly streamGroup: number;
  close(): Promise<void>;
}

const TEXT_CACHE_SIZE = 20000;
/** records per model call unless `batchSize` says otherwise; a stream's first group is one such call */
export const DEFAULT_BATCH_SIZE = 32;
/** groups under way at once with the model in its own thread: enough to keep that thread always busy */
const BATCHES_IN_FLIGHT = 3;
/**
 * Records per scoreBatch call when a stream is scored (scoreMany, `raqib score`). The model sorts a
 * call's texts by length before cutting them into model batches, so a larger call pads less; output is
 * byte-identical (a row never sees its batch). `npm run bench`, groups of 32 → 256 (rising from one
 * model batch, so the first result is as early as before): default 937 → 1,170–1,269 records/s at
 * 343–386 MB peak (was 350); with the model thread 1,101–1,115 → 1,357–1,430 records/s at 408–426 MB
 * (was 392–397); two groups under way instead of three measured 411 MB at 1,379 records/s.
 */
export const STREAM_GROUP = 256;
const RAQIB_VERSION: string = JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8')).version;

export async function createScorer(options: ScorerOptions = {}): Promise<Scorer> {
  const dir = options.model === false ? null : (options.model ?? (existsSync(join(DEFAULT_MODEL_DIR(), 'config.json')) ? DEFAULT_MODEL_DIR() : null));
  // the model thread loads the transformer while this thread builds the lexicons and language detector
  const loading = dir ? loadClassifier(dir, options) : null;
  loading?.catch(() => {}); // awaited below; a failure must not surface first as an unhandled rejection
  let lexicon: LexiconScorer;
  let config: ScoringConfig;
  let ocr: OcrRecordOptions | null;
  try {
    const lex = loadLexicons(options.lexicons ?? [], options.shippedLexicons ?? true);
    config = options.config ?? loadConfig(options.configPath).config;
    if (options.threshold) config = withThresholdOverride(config, options.threshold);
    const detector = await LanguageDetector.create();
    lexicon = new LexiconScorer(lex.files, lex.version, config, detector, options.fields);
    // OCR starts once, before the first record, and fails fast (missing traineddata is a setup error)
    ocr = options.ocr ? { ...options.ocr, engine: await OcrEngine.create({ workers: options.ocr.workers, languages: options.ocr.languages }) } : null;
  } catch (e) {
    // a bad lexicon or config ends the model thread too, once it has loaded
    void loading?.then((c) => c.dispose(), () => {});
    throw e;
  }
  if (!dir || !loading) return new RaqibScorer(lexicon, config, null, null, options.batchSize ?? DEFAULT_BATCH_SIZE, ocr);
  const classifier = await loading;
  try {
    const fusionFile = join(dir, 'fusion.json');
    // a model without fitted fusion parameters is used on its own (its calibrated probability is the score)
    const fusion = options.fusion !== false && existsSync(fusionFile) ? (JSON.parse(readFileSync(fusionFile, 'utf8')) as FusionParams) : null;
    // the character n-gram model ships beside the transformer; a directory without one is a transformer alone
    const ngram = NgramClassifier.loadIfPresent(dir);
    if (options.alone === 'ngram' && !ngram) throw new Error(`no n-gram model in ${dir} (need ngram.json and ngram.bin)`);
    const available = FEATURES.filter((f) => ngram || !f.startsWith('ngram_'));
    const missing = fusion ? missingFeatures(fusion, available) : [];
    if (missing.length) throw new Error(`${fusionFile}: fitted with ${missing.join(', ')}, which this model directory does not provide`);
    return new RaqibScorer(lexicon, config, classifier, fusion, options.batchSize ?? DEFAULT_BATCH_SIZE, ocr, ngram, options.fusion === false ? (options.alone ?? 'transformer') : null);
  } catch (e) {
    await classifier.dispose();
    await ocr?.engine.terminate();
    throw e;
  }
}

async function loadClassifier(dir: string, options: ScorerOptions): Promise<TextClassifier> {
  const dtype = options.dtype ?? 'q8';
  if (options.modelThread) return ModelThread.load(dir, dtype);
  // transformers.js, onnxruntime and sharp load in this thread only for a scorer that asks for it
  const { ModelClassifier } = await import('./model/classifier.js');
  return ModelClassifier.load(dir, dtype);
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

/** The lexicon scorer: synchronous, the evidence half of every result. */
class LexiconScorer {
  private readonly matcher: LexiconMatcher;
  private readonly watchlist: Map<string, WatchlistEntry>;
  private readonly textCache = new BoundedCache<string, TextAnalysis>(TEXT_CACHE_SIZE);
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

  score(value: unknown, ctx: ScoreContext = {}): OutputRecord {
    return this.analyse(value, ctx).out;
  }

  /** The lexicon result, and what fusion needs from it (absent for error records). */
  analyse(value: unknown, ctx: ScoreContext = {}): { out: OutputRecord; summary?: LexiconSummary; fields?: TextField[] } {
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
      return { out: err };
    }
    const { result, summary } = this.scoreAdapted(adapted.record, ctx.warnings ?? []);
    return { out: result, summary, fields: adapted.record.fields };
  }

  private scoreAdapted(rec: AdaptedRecord, readerWarnings: Warning[]): { result: ScoreResult; summary: LexiconSummary } {
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
    const raw = emptyCategories(0);
    for (const w of work) for (const c of PROPAGANDA_CATEGORIES) raw[c] = Math.max(raw[c], w.lex.raw[c]);
    const summary: LexiconSummary = { raw: Math.max(...Object.values(raw)), after: score, context: recordContext, benignSense, categories: categoryScores };
    const result: ScoreResult = {
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
    return { result, summary };
  }

  /**
   * Normalisation, language and matches depend on the text alone: attribute values and collection
   * boilerplate repeat across records, so they are computed once per distinct text (bounded cache).
   */
  private analyseText(text: string): TextAnalysis {
    return this.textCache.getOrCompute(text, () => {
      const views = normalizeViews(text);
      return { lang: this.detector.detect(views.light.text), matches: this.matcher.match(views), indicators: extractIndicators(text, '') };
    });
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


/**
 * The scorer users get: the lexicon scorer's result, and — when a model is loaded — the model's
 * probabilities fused with the lexicon evidence into one calibrated score per category. Model calls
 * are batched across records; a record's result never depends on its batch (weights-only int8 keeps
 * the arithmetic per row, and scores are rounded to 4 decimals).
 */
export class RaqibScorer implements Scorer {
  readonly version: ScoreResult['version'];
  readonly model: ModelInfo | null;
  readonly batchesInFlight: number;
  readonly streamGroup: number;

  constructor(
    private readonly lexicon: LexiconScorer,
    private readonly config: ScoringConfig,
    private readonly classifier: TextClassifier | null,
    private readonly fusion: FusionParams | null,
    private readonly batchSize: number,
    private readonly ocr: OcrRecordOptions | null = null,
    private readonly ngram: NgramClassifier | null = null,
    /** with fusion off: which model's probability is the score */
    private readonly alone: 'transformer' | 'ngram' | null = null,
  ) {
    this.version = lexicon.version;
    this.model = classifier?.info ?? null;
    this.batchesInFlight = classifier instanceof ModelThread ? BATCHES_IN_FLIGHT : 1;
    this.streamGroup = Math.max(STREAM_GROUP, batchSize);
  }

  detectLanguage(text: string): LanguageResult {
    return this.lexicon.detectLanguage(text);
  }

  scoreLexicon(record: unknown, ctx: ScoreContext = {}): OutputRecord {
    return this.lexicon.score(record, ctx);
  }

  async score(record: unknown, ctx: ScoreContext = {}): Promise<OutputRecord> {
    return (await this.scoreBatch([{ record, ctx }]))[0];
  }

  async *scoreMany(records: AsyncIterable<unknown> | Iterable<unknown>, ctx: { source?: string } = {}): AsyncGenerator<OutputRecord> {
    async function* numbered(): AsyncGenerator<{ record: unknown; ctx: ScoreContext }> {
      let line = 0;
      for await (const record of records as AsyncIterable<unknown>) yield { record, ctx: { source: ctx.source, line: ++line } };
    }
    for await (const scored of mapOrdered(inGroups(numbered(), this.streamGroup, this.batchSize), (batch) => this.scoreBatch(batch), this.batchesInFlight)) yield* scored;
  }

  async scoreBatch(batch: Array<{ record: unknown; ctx?: ScoreContext }>): Promise<OutputRecord[]> {
    // the image's text joins the record as image_ocr; unreadable images are warnings on the result
    const items = this.ocr ? await Promise.all(batch.map((it) => this.withOcr(it))) : batch;
    const analysed = items.map((it) => this.lexicon.analyse(it.record, it.ctx ?? {}));
    if (!this.classifier) return analysed.map((a) => a.out);
    const todo = analysed.map((a, i) => ({ a, i })).filter((x) => x.a.summary && x.a.fields);
    const parts = todo.map((x) => modelParts(x.a.fields!));
    const predictions = await this.classifier.classify(parts, this.batchSize);
    const out = analysed.map((a) => a.out);
    const flagged: Array<{ i: number; fields: TextField[]; p: number }> = [];
    todo.forEach((x, k) => {
      const ng = this.ngram?.predict(parts[k]);
      const fused = this.fused(x.a.out as ScoreResult, x.a.summary!, predictions[k], ng);
      out[x.i] = fused;
      if (fused.flagged) {
        // the transformer's fields are sought only where it reads the record as propaganda itself: where it
        // does not, it is not why the record was flagged (the n-gram words and the lexicons say why), and
        // reading every field left out costs a model call per field
        if (predictions[k].labels.propaganda >= 0.5 || !this.ngram) flagged.push({ i: x.i, fields: x.a.fields!, p: predictions[k].labels.propaganda });
        if (this.ngram && this.alone !== 'transformer') this.ngramEvidence(fused, x.a.fields!, parts[k]);
      }
    });
    await this.attribute(out, flagged);
    return out;
  }

  /** Fusion inputs of records (for fitting fusion.json on dev): null for records with nothing to score. */
  async fusionFeatures(records: unknown[]): Promise<Array<Partial<Record<FeatureName, number>> | null>> {
    if (!this.classifier) throw new Error('fusion features need a model');
    const analysed = records.map((r) => this.lexicon.analyse(r));
    const ok = analysed.map((a, i) => ({ a, i })).filter((x) => x.a.summary && x.a.fields);
    const parts = ok.map((x) => modelParts(x.a.fields!));
    const preds = await this.classifier.classify(parts, this.batchSize);
    const out: Array<Partial<Record<FeatureName, number>> | null> = records.map(() => null);
    ok.forEach((x, k) => (out[x.i] = fusionFeatures(preds[k], x.a.summary!, this.ngram?.predict(parts[k]))));
    return out;
  }

  /** The lexicon result with the model's probabilities fused in: scores, categories, decision. */
  private fused(lex: ScoreResult, summary: LexiconSummary, m: ModelPrediction, ng?: NgramPrediction): ScoreResult {
    // with fusion off, one model speaks alone: its label probabilities are the scores
    const own = this.alone === 'ngram' && ng ? ng.labels : m.labels;
    const fusedP = this.fusion ? fuse(fusionFeatures(m, summary, ng), this.fusion) : own.propaganda;
    // Evidence the lexicons alone would block on (a named group or outlet with in-group cues, after the
    // reporting/counter-speech discount) keeps at least its lexicon score: the fusion is fitted on dev,
    // where such records are nearly always caught by the model too, so it learns little about the rare
    // record the small model misreads (a Hausa card naming "Daular Musulunci", model 0.22).
    const p = round(this.fusion && lex.decision === 'block' ? Math.max(fusedP, lex.score) : fusedP);
    const categoryScores = fusedCategories(p, m, summary);
    // thresholds of the language of the field that carries the most, or of the longest field
    const fields = Object.entries(lex.fields);
    const lang = fields.sort((a, b) => b[1].score - a[1].score)[0]?.[1].lang ?? 'und';
    const categories = emptyCategories(false);
    let decision: Decision = 'allow';
    for (const c of PROPAGANDA_CATEGORIES) {
      const t = thresholdsFor(this.config, c, lang);
      if (categoryScores[c] >= t.review && categoryScores[c] > 0) {
        categories[c] = true;
        if (decision === 'allow') decision = 'review';
      }
      if (categoryScores[c] >= t.block && categoryScores[c] > 0) decision = 'block';
    }
    // the non-propaganda rest is shared between reporting and benign as the n-gram model shares it when
    // it is loaded: on dev its split gives a three-way macro-F1 of 93.6 %, the two models' average 92.7 %
    // and the transformer's 91.8 % (scripts/train/README.md, "The character n-gram model")
    const split = this.fusion && ng ? ng.labels : own;
    const rest = split.about_extremism + split.benign;
    const about = round((1 - p) * (rest > 0 ? split.about_extremism / rest : 0));
    return {
      ...lex,
      flagged: decision !== 'allow',
      decision,
      score: p,
      label_scores: { propaganda: p, about_extremism: about, benign: round(1 - p - about) },
      categories,
      category_scores: categoryScores,
      model: this.modelOf(),
    };
  }

  /** Which model files produced a result: the transformer's, and the n-gram model's when it was fused too. */
  private modelOf(): { name: string; sha256: string; ngram_sha256?: string } {
    const t = { name: this.classifier!.info.name, sha256: this.classifier!.info.sha256 };
    return this.ngram && this.alone !== 'transformer' ? { ...t, ngram_sha256: this.ngram.info.sha256 } : t;
  }

  /**
   * Which field drove the model, for flagged records only (they are few, and a reviewer needs it), and
   * beside an n-gram model only for those the transformer itself reads as propaganda.
   * First each field is left out in turn: a field whose removal lowers the model's propaganda
   * probability by at least 0.05 becomes model evidence, spanning the whole field. When no single
   * removal matters, the fields repeat one another (a card whose title, description and caption each
   * say it); then each field is read alone and those that read as propaganda alone (≥ 0.5) are named.
   */
  private async attribute(out: OutputRecord[], flagged: Array<{ i: number; fields: TextField[]; p: number }>): Promise<void> {
    const jobs = flagged.flatMap((f) => f.fields.map((field) => ({ f, field, text: modelParts(f.fields.filter((x) => x !== field)) })));
    const withText = jobs.filter((j) => j.text.length > 0);
    const preds = withText.length ? await this.classifier!.classify(withText.map((j) => j.text), this.batchSize) : [];
    const without = new Map(withText.map((j, k) => [j, preds[k].labels.propaganda]));
    const found = new Set<(typeof flagged)[number]>();
    for (const j of jobs) {
      const rest = without.get(j) ?? 0;
      const drop = j.f.p - rest;
      if (drop < 0.05) continue;
      found.add(j.f);
      this.modelEvidence(out[j.f.i] as ScoreResult, j.field, `model: without this field, propaganda probability ${round(j.f.p)} → ${round(rest)}`, drop);
    }
    const redundant = jobs.filter((j) => !found.has(j.f)).map((j) => ({ ...j, alone: modelParts([j.field]) })).filter((j) => j.alone.length > 0);
    const alone = redundant.length ? await this.classifier!.classify(redundant.map((j) => j.alone), this.batchSize) : [];
    redundant.forEach((j, k) => {
      const p = alone[k].labels.propaganda;
      if (p >= 0.5) this.modelEvidence(out[j.f.i] as ScoreResult, j.field, `model: this field alone reads as propaganda (${round(p)}); no single field's removal changes the record's ${round(j.f.p)}`, p);
    });
  }

  /**
   * The words that moved the n-gram model most towards propaganda, as evidence on their fields: the
   * model is linear in its n-grams, so this is exact, not an estimate. A word is located in the field's
   * own text through the normaliser's offset map; a word it cannot place (a trait's name) spans the field.
   */
  private ngramEvidence(r: ScoreResult, fields: TextField[], parts: ModelPart[]): void {
    for (const c of this.ngram!.contributions(parts, 3)) {
      if (c.weight < 0.05) continue;
      const field = fields.find((f) => f.path === parts[c.part].path) ?? fields[0];
      const norm = normalize(field.text);
      const at = norm.text.indexOf(c.word);
      const span = at >= 0 ? norm.toOriginal(at, at + c.word.length) : undefined;
      const match = `n-gram model: "${c.word}" adds ${round(c.weight)} to the propaganda logit`;
      this.modelEvidence(r, field, match, c.weight, { span, gloss: 'the n-gram model reads this word as propaganda', rule: `model.${this.ngram!.info.name}` });
    }
  }

  /** Model evidence on a field: a span of it (default its first 200 characters), by the transformer unless said otherwise. */
  private modelEvidence(r: ScoreResult, field: TextField, match: string, weight: number, by: { span?: [number, number]; gloss?: string; rule?: string } = {}): void {
    const top = PROPAGANDA_CATEGORIES.reduce((a, c) => (r.category_scores[c] > r.category_scores[a] ? c : a), PROPAGANDA_CATEGORIES[0]);
    const [start, end] = by.span ?? [0, Math.min(field.text.length, 200)];
    r.evidence.push({
      field: field.path,
      start,
      end,
      text: field.text.slice(start, end),
      match,
      gloss_en: by.gloss ?? 'the model reads this field as propaganda',
      category: top,
      source: 'model',
      rule: by.rule ?? `model.${this.classifier!.info.name}`,
      weight: round(Math.min(1, weight)),
    });
  }

  private async withOcr(it: { record: unknown; ctx?: ScoreContext }): Promise<{ record: unknown; ctx: ScoreContext }> {
    const o = await withOcrText(it.record, this.ocr!);
    return { record: o.record, ctx: { ...it.ctx, warnings: [...(it.ctx?.warnings ?? []), ...o.warnings] } };
  }

  async close(): Promise<void> {
    await this.classifier?.dispose();
    await this.ocr?.engine.terminate();
  }
}
