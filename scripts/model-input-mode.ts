/**
 * npm run bench:model-input — the measurement issue 5 asks for: does the transformer read a record's
 * fields better as one sequence with field markers (what raqib does) or with one model call per field
 * (the record then reads as its most propaganda-like field, as a long text reads as its most
 * propaganda-like window)? Accuracy and speed, with the shipped model directory:
 *
 *   - accuracy: the fused score (what `raqib score` gives) at the shipped thresholds, and each mode's
 *     transformer alone (ROC-AUC of its propaganda logit), on the corpus test split and on the records
 *     of the eighth-round writers, whom the shipped model never read. Each mode gets its own fusion,
 *     fitted on the dev rows the shipped fusion was fitted on (rounds 1–7; for the record mode this
 *     reproduces the shipped fusion.json exactly), so neither is judged with weights fitted for the other.
 *   - speed: generated records shaped like data/samples (title, description, three attributes,
 *     caption; scripts/generate-records.ts), in process, after a warm-up: scoreBatch end to end in
 *     groups of STREAM_GROUP as `raqib score` calls it, and the transformer's share of that time.
 *
 *   npm run bench:model-input [-- N]     (N generated records for speed, default 3,000)
 *
 * The n-gram model reads whole records in both modes (it is linear in its n-grams, so reading fields
 * apart would change nothing but its bias term's share); only the transformer's input differs.
 */
import { join } from 'node:path';
import { createScorer, STREAM_GROUP, type RaqibScorer } from '../src/scorer.js';
import type { ModelPrediction, ModelText, TextClassifier } from '../src/model/classifier.js';
import type { FusionParams } from '../src/score/fuse.js';
import { readLabelled, type LabelledRecord } from '../src/eval/dataset.js';
import { scoreRows, type ScoredRow } from '../src/eval/collect.js';
import { confusion, f1, fpr, precision, recall, rocAuc } from '../src/eval/metrics.js';
import { DEFAULT_MODEL_DIR } from '../src/model/location.js';
import { devRows, fitFusion } from './train/fusion-fit.js';
import { PerFieldClassifier } from './per-field-classifier.js';
import { generateRecords } from './generate-records.js';

/**
 * Round 8's writers (author prefix th). The shipped model (E12) and its fusion were trained on rounds
 * 1–7 (MODEL_CARD.md), so these records are unseen text and dev without them is its fusion's data.
 */
const ROUND8 = /^th/;

/**
 * Sets how a built scorer's transformer reads a record, under a timer that counts the sequences it is
 * given. RaqibScorer takes its classifier and fusion at construction inside createScorer; this
 * measurement swaps them rather than give the library an option no user should choose (one call per
 * field loses on both counts).
 */
function read(scorer: RaqibScorer, perField: boolean): TimedClassifier {
  const s = scorer as unknown as { classifier: TextClassifier };
  const timed = new TimedClassifier(s.classifier);
  s.classifier = perField ? new PerFieldClassifier(timed) : timed;
  return timed;
}

/** The fusion the scorer scores with (fitted for its reading by fitFusion). */
function useFusion(scorer: RaqibScorer, fusion: FusionParams): void {
  (scorer as unknown as { fusion: FusionParams }).fusion = fusion;
}

interface Accuracy {
  set: string;
  records: number;
  precision: number;
  recall: number;
  f1: number;
  falseFlags: number;
  fusedAuc: number;
  transformerAuc: number;
  /** labelled languages meeting recall ≥ 0.85 at ≤ 3 % false flags, of all with both classes */
  languagesMet: string;
}

async function accuracy(set: string, records: LabelledRecord[], scorer: RaqibScorer): Promise<Accuracy> {
  const rows: ScoredRow[] = await scoreRows(records, scorer, STREAM_GROUP);
  const flagged = rows.map((r) => ({ y: r.y, score: r.decision === 'allow' ? 0 : 1 }));
  const c = confusion(flagged, 1);
  // the transformer's own probability is not in the output: its fusion input is
  const feats = await scorer.fusionFeatures(records.map((r) => r.record));
  const model = feats.flatMap((f, i) => (f ? [{ y: records[i].y, score: f.model_logit! }] : []));
  const byLang = new Map<string, typeof flagged>();
  rows.forEach((r, i) => {
    const l = r.labelledLang ?? 'und';
    if (!byLang.has(l)) byLang.set(l, []);
    byLang.get(l)!.push(flagged[i]);
  });
  const langs = [...byLang.entries()].map(([l, xs]) => ({ l, c: confusion(xs, 1) })).filter((x) => x.c.tp + x.c.fn > 0 && x.c.fp + x.c.tn > 0);
  const met = langs.filter((x) => recall(x.c)! >= 0.85 && fpr(x.c)! <= 0.03).map((x) => x.l);
  return {
    set,
    records: rows.length,
    precision: precision(c) ?? 0,
    recall: recall(c) ?? 0,
    f1: f1(c) ?? 0,
    falseFlags: fpr(c) ?? 0,
    fusedAuc: rocAuc(rows.map((r) => ({ y: r.y, score: r.score })))!,
    transformerAuc: rocAuc(model)!,
    languagesMet: `${met.length} of ${langs.length}${met.length ? ` (${met.sort().join(', ')})` : ''}`,
  };
}

interface Speed {
  records: number;
  /** transformer sequences read (before windowing), including the attribution calls on flagged records */
  sequences: number;
  transformerMs: number;
  endToEndRecordsPerSecond: number;
}

/** Counts the sequences the transformer reads (windows aside) and how long it takes. */
class TimedClassifier implements TextClassifier {
  ms = 0;
  sequences = 0;
  constructor(private readonly inner: TextClassifier) {}
  get info() {
    return this.inner.info;
  }
  async classify(texts: ModelText[], batchSize?: number, calibrated?: boolean): Promise<ModelPrediction[]> {
    const t = performance.now();
    this.sequences += texts.length;
    const out = await this.inner.classify(texts, batchSize, calibrated);
    this.ms += performance.now() - t;
    return out;
  }
  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}

async function speed(scorer: RaqibScorer, timed: TimedClassifier, records: Array<Record<string, unknown>>): Promise<Speed> {
  await scorer.scoreBatch(records.slice(0, STREAM_GROUP).map((record) => ({ record }))); // warm-up: onnxruntime's first runs allocate
  timed.ms = 0;
  timed.sequences = 0;
  const t = performance.now();
  for (let i = 0; i < records.length; i += STREAM_GROUP) await scorer.scoreBatch(records.slice(i, i + STREAM_GROUP).map((record) => ({ record })));
  const seconds = (performance.now() - t) / 1000;
  return { records: records.length, sequences: timed.sequences, transformerMs: Math.round(timed.ms), endToEndRecordsPerSecond: Math.round(records.length / seconds) };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 3000);
  const dir = DEFAULT_MODEL_DIR();
  const corpus = join(process.cwd(), 'data', 'corpus');
  const opt = { labelField: 'label', positive: 'propaganda' };
  const test = (await readLabelled(join(corpus, 'test.jsonl'), opt)).records;
  const round8 = [...(await readLabelled(join(corpus, 'train.jsonl'), opt)).records, ...(await readLabelled(join(corpus, 'dev.jsonl'), opt)).records].filter((r) => ROUND8.test(String(r.record.author ?? '')));
  const dev = devRows().filter((r) => !ROUND8.test(String(r.author ?? '')));
  const generated = generateRecords(n, 42);

  const out: Record<string, { fusion: string; accuracy: Accuracy[]; speed: Speed }> = {};
  for (const mode of ['record', 'field'] as const) {
    const scorer = (await createScorer({ model: dir })) as RaqibScorer;
    const timed = read(scorer, mode === 'field');
    // fusion inputs do not depend on the fusion in use, so one scorer fits its own
    const fusion = await fitFusion(scorer, dev);
    useFusion(scorer, fusion);
    out[mode] = {
      fusion: fusion.fitted_on,
      accuracy: [await accuracy('corpus test split', test, scorer), await accuracy('round-8 writers (train + dev, unseen by the shipped model)', round8, scorer)],
      speed: await speed(scorer, timed, generated),
    };
    await scorer.close();
    process.stderr.write(`${mode}: done\n`);
  }
  console.log(JSON.stringify(out, null, 2));
  const pc = (x: number) => (100 * x).toFixed(1);
  console.log('\n| mode | set | precision % | recall % | F1 % | false flags % | fused ROC-AUC | transformer ROC-AUC | languages meeting the target |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---|');
  for (const [mode, r] of Object.entries(out)) for (const a of r.accuracy) console.log(`| ${mode} | ${a.set} | ${pc(a.precision)} | ${pc(a.recall)} | ${pc(a.f1)} | ${pc(a.falseFlags)} | ${a.fusedAuc.toFixed(4)} | ${a.transformerAuc.toFixed(4)} | ${a.languagesMet} |`);
  console.log('\n| mode | records | sequences | transformer ms | end to end records/s | fusion fitted on |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const [mode, r] of Object.entries(out)) console.log(`| ${mode} | ${r.speed.records} | ${r.speed.sequences} | ${r.speed.transformerMs} | ${r.speed.endToEndRecordsPerSecond} | ${r.fusion} |`);
}

await main();
