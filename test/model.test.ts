import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adaptRecord } from '../src/adapter/record.js';
import { ModelClassifier } from '../src/model/classifier.js';
import { DEFAULT_MODEL_DIR } from '../src/model/location.js';
import { FIELD_MARKERS, joinParts, modelInput, modelParts } from '../src/model/input.js';
import { createScorer, type Scorer } from '../src/scorer.js';
import { isErrorRecord, type ScoreResult } from '../src/types.js';
import { checkOutput } from './helpers.js';

/**
 * The shipped model, as users run it: the files are in the repo (models/raqib-small), so these tests
 * run on every clone. They keep training and inference honest: the JavaScript tokenizer gives the
 * Python ids, the exported graph gives the reference probabilities, clear cases come out right in
 * every language, and a record's score does not depend on what it is batched with.
 */
const dir = DEFAULT_MODEL_DIR();
const parity = readFileSync(new URL('./fixtures/model-parity.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { text: string; ids: number[]; probs_fp32: number[] });
const cases = readFileSync(new URL('./fixtures/model-cases.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { lang: string; label: string; record: Record<string, unknown> });

let fp32: ModelClassifier;
let q8: ModelClassifier;
let scorer: Scorer;

beforeAll(async () => {
  fp32 = await ModelClassifier.load(dir, 'fp32');
  q8 = await ModelClassifier.load(dir, 'q8');
  scorer = await createScorer();
}, 60000);

afterAll(async () => {
  await fp32?.dispose();
  await q8?.dispose();
  await scorer?.close();
});

describe('shipped model files', () => {
  it('are in the Hugging Face layout, with a model card, calibration and fusion, and fit the size budget', () => {
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx', 'MODEL_CARD.md', 'calibration.json', 'fusion.json']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(statSync(join(dir, 'onnx/model_quantized.onnx')).size).toBeLessThanOrEqual(10 * 1024 * 1024);
  });
});

describe('tokenizer parity (transformers.js vs the Python tokenizer)', () => {
  it(`gives the Python ids on all ${parity.length} fixture strings`, async () => {
    env.allowRemoteModels = false;
    env.localModelPath = join(dir, '..') + '/';
    const tok = await AutoTokenizer.from_pretrained('raqib-small');
    let same = 0;
    const diffs: string[] = [];
    for (const p of parity) {
      const enc = tok(p.text, { truncation: true, max_length: 128 }) as { input_ids: { data: BigInt64Array } };
      const ids = Array.from(enc.input_ids.data, Number);
      if (JSON.stringify(ids) === JSON.stringify(p.ids)) same++;
      else if (diffs.length < 3) diffs.push(p.text.slice(0, 60));
    }
    expect(diffs).toEqual([]);
    expect(same).toBe(parity.length);
  });

  it('encodes a record field by field (each distinct text once) to the ids of its whole model text', async () => {
    // the scorer tokenizes each field text once and concatenates (ModelClassifier.encode); that is only
    // right if the tokenizer splits at the spaces between fields: check it on the corpus test split
    const lines = readFileSync(new URL('../data/corpus/test.jsonl', import.meta.url), 'utf8').split('\n').filter((l) => l.trim());
    let checked = 0;
    for (const line of lines) {
      const a = adaptRecord(JSON.parse(line), { source: 'test.jsonl', line: 0, maxFieldLength: 10000, maxFields: 500 });
      if (!a.ok) continue;
      const parts = modelParts(a.record.fields);
      expect(q8.encode(parts), joinParts(parts).slice(0, 80)).toEqual(q8.encode(joinParts(parts)));
      checked++;
    }
    expect(checked).toBe(lines.length);
  });

  it('neutralises special-token and field-marker strings in user text before tokenising', () => {
    // transformers.js turns a literal "[CLS]" anywhere in a string into the special id; the model text
    // lower-cases user text, so a record can neither end its sequence early nor forge a field
    const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
    const forged = `${specials.join(' ')} [T] [D] [A] [C] [X] glory to the caliphate`;
    const parts = modelParts([
      { path: 'name', text: forged },
      { path: 'description', text: `x${forged}y` },
    ] as Parameters<typeof modelParts>[0]);
    const ids = q8.windows(parts).flat();
    // one [CLS] and one [SEP] (the real ones), no [PAD] [UNK] [MASK]
    expect(ids.filter((i) => i === 2)).toEqual([2]);
    expect(ids.filter((i) => i === 3)).toEqual([3]);
    expect(ids.filter((i) => i === 0 || i === 1 || i === 4)).toEqual([]);
    // the two real field markers, nothing else tokenised as a marker (a marker is one piece after "▁")
    const marker = Object.fromEntries(FIELD_MARKERS.map((m) => [m, q8.encode(m).at(-1)!]));
    expect(new Set(Object.values(marker)).size).toBe(FIELD_MARKERS.length);
    expect(ids.filter((i) => Object.values(marker).includes(i))).toEqual([marker['[T]'], marker['[D]']]);
    // while the same strings, unneutralised, would have been special ids
    expect(q8.encode('[CLS] [SEP] x')).toContain(2);
  });
});

describe('probability parity', () => {
  it('fp32 in Node equals the exported reference within 1e-4', async () => {
    // inputs that fit one window (the reference ran the truncated first window; raqib windows longer ones)
    const short = parity.filter((p) => p.ids.length < 128);
    expect(short.length).toBeGreaterThan(300);
    const got = await fp32.classify(short.map((p) => p.text), 16, false);
    let worst = 0;
    got.forEach((g, i) => {
      const mine = [g.labels.propaganda, g.labels.about_extremism, g.labels.benign, ...Object.values(g.categories)];
      worst = Math.max(worst, ...short[i].probs_fp32.map((r, k) => Math.abs(r - mine[k])));
    });
    expect(worst).toBeLessThan(1e-4);
  });

  it('int8 stays within 0.05 of fp32 on every fixture string', async () => {
    const texts = parity.map((p) => p.text);
    const a = await fp32.classify(texts, 16);
    const b = await q8.classify(texts, 16);
    let worst = 0;
    a.forEach((x, i) => (worst = Math.max(worst, Math.abs(x.labels.propaganda - b[i].labels.propaganda))));
    expect(worst).toBeLessThan(0.05);
  });
});

describe('behaviour on clear cases', () => {
  it.each(cases)('$lang: $label', async ({ record, label }) => {
    const r = await scorer.score(record);
    if (isErrorRecord(r)) throw new Error(r.error.message);
    checkOutput(r);
    const ls = (r as ScoreResult).label_scores;
    const top = (Object.entries(ls) as Array<[string, number]>).sort((x, y) => y[1] - x[1])[0][0];
    if (label === 'propaganda') expect(r.flagged, JSON.stringify(ls)).toBe(true);
    else expect(r.flagged, JSON.stringify(ls)).toBe(false);
    expect(top).toBe(label === 'about_extremism' ? 'about_extremism' : label);
    expect((r as ScoreResult).model?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('determinism', () => {
  it('a record scores the same alone, in a batch, and in another batch order', async () => {
    const texts = cases.map((c) => modelInput(Object.entries(c.record).map(([k, v]) => ({ path: k === 'name' ? 'name' : 'description', text: String(v) }))));
    const alone = [];
    for (const t of texts) alone.push((await q8.classify([t]))[0].labels.propaganda);
    const together = (await q8.classify(texts, 32)).map((p) => p.labels.propaganda);
    const reversed = (await q8.classify([...texts].reverse(), 7)).map((p) => p.labels.propaganda).reverse();
    for (let i = 0; i < texts.length; i++) {
      expect(Math.abs(together[i] - alone[i])).toBeLessThan(1e-5);
      expect(Math.abs(reversed[i] - alone[i])).toBeLessThan(1e-5);
    }
  });

  it('long descriptions are windowed, not cut', async () => {
    const long = `[D] ${'a calm landscape with mountains and a lake '.repeat(40)} glory to the soldiers of the caliphate join the caravan`;
    const w = q8.windows(long);
    expect(w.length).toBeGreaterThan(1);
    for (const x of w) expect(x.length).toBeLessThanOrEqual(128);
    const [p] = await q8.classify([long]);
    expect(p.windows).toBe(w.length);
  });
});

describe('fusion', () => {
  it('keeps a record the lexicons alone would block at its lexicon score, whatever the model says', async () => {
    // the shipped model with a fusion that answers ~0 for everything: only the lexicon floor can flag
    const dirCopy = mkdtempSync(join(tmpdir(), 'raqib-fusion-'));
    cpSync(dir, dirCopy, { recursive: true });
    const fusion = JSON.parse(readFileSync(join(dir, 'fusion.json'), 'utf8')) as { weights: number[]; bias: number };
    writeFileSync(join(dirCopy, 'fusion.json'), JSON.stringify({ ...fusion, weights: fusion.weights.map(() => 0), bias: -20 }));
    const silent = await createScorer({ model: dirCopy });
    const lexOnly = await createScorer({ model: false });
    try {
      const [card, news] = readFileSync(new URL('../data/samples/nft-sample.jsonl', import.meta.url), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
      const lexCard = lexOnly.scoreLexicon(card) as ScoreResult;
      expect(lexCard.decision).toBe('block');
      const r = (await silent.score(card)) as ScoreResult;
      expect(r.score).toBe(lexCard.score);
      expect(r.decision).toBe('block');
      // below the lexicons' block level the fused probability speaks alone (here ~0)
      const n = (await silent.score(news)) as ScoreResult;
      expect((lexOnly.scoreLexicon(news) as ScoreResult).decision).not.toBe('block');
      expect(n.score).toBeLessThan(0.01);
    } finally {
      await silent.close();
      await lexOnly.close();
      rmSync(dirCopy, { recursive: true, force: true });
    }
  });
});

describe('model evidence', () => {
  it('names the fields a flagged record leans on, and none for a record it allows', async () => {
    const [card, news] = readFileSync(new URL('../data/samples/nft-sample.jsonl', import.meta.url), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
    const r = (await scorer.score(card)) as ScoreResult;
    expect(r.flagged).toBe(true);
    const model = r.evidence.filter((e) => e.source === 'model' && !e.rule.endsWith('/ngram')); // the transformer's (the n-gram model's: ngram.test.ts)
    expect(model.length).toBeGreaterThan(0);
    for (const e of model) {
      expect(Object.keys(r.fields)).toContain(e.field);
      expect(e.start).toBe(0);
      // its fields repeat one another, so no single removal matters: each field is read alone
      expect(e.match).toMatch(/^model: this field alone reads as propaganda \([0-9.]+\); no single field's removal changes the record's [0-9.]+$/);
      expect(e.weight).toBeGreaterThanOrEqual(0.5);
    }
    const n = (await scorer.score(news)) as ScoreResult;
    expect(n.flagged).toBe(false);
    expect(n.evidence.filter((e) => e.source === 'model')).toEqual([]);
  });

  it('names the field whose removal lowers the probability when one field carries the propaganda', async () => {
    // synthetic: a benign-looking title and traits, the propaganda only in the description
    const rec = {
      name: 'Sunset over the dunes #12',
      description: 'Glory to the soldiers of the caliphate, the Islamic State remains and expands: join the caravan of the mujahideen.',
      attributes: [{ trait_type: 'Palette', value: 'Warm' }],
    };
    const r = (await scorer.score(rec)) as ScoreResult;
    expect(r.flagged).toBe(true);
    const model = r.evidence.filter((e) => e.source === 'model' && !e.rule.endsWith('/ngram')); // the transformer's (the n-gram model's: ngram.test.ts)
    expect(model.map((e) => e.field)).toContain('description');
    const d = model.find((e) => e.field === 'description')!;
    expect(d.match).toMatch(/^model: without this field, propaganda probability [0-9.]+ → [0-9.]+$/);
    expect(model.map((e) => e.field)).not.toContain('name');
  });
});

describe('one model call per field (scripts/per-field-classifier.ts, measured by npm run bench:model-input)', () => {
  it('reads each field alone and answers with the most propaganda-like field; a one-field record as a whole', async () => {
    const { PerFieldClassifier } = await import('../scripts/per-field-classifier.js');
    // synthetic: a plain title, a propaganda caption
    const fields = [
      { path: 'name', text: 'Sunset over the dunes #12' },
      { path: 'image_caption', text: 'Soldiers of the caliphate, the Islamic State remains and expands.' },
    ];
    const parts = modelParts(fields as Parameters<typeof modelParts>[0]);
    const perField = new PerFieldClassifier(q8);
    const [both, single] = await perField.classify([parts, [parts[0]]]);
    const alone = await q8.classify(parts.map((p) => [p]));
    const top = alone.reduce((a, b) => (b.labels.propaganda > a.labels.propaganda ? b : a));
    expect(both).toEqual(top);
    expect(alone[1].labels.propaganda).toBeGreaterThan(alone[0].labels.propaganda);
    expect(single).toEqual(alone[0]);
    // the record read as one sequence is another input, with its own answer
    const [whole] = await q8.classify([parts]);
    expect(whole.labels.propaganda).not.toBe(both.labels.propaganda);
  });
});
