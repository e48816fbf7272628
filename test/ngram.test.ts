import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR } from '../src/model/location.js';
import { modelParts } from '../src/model/input.js';
import { NgramClassifier } from '../src/ngram/classifier.js';
import { crc32, ngramBuckets } from '../src/ngram/features.js';
import { createScorer, type Scorer } from '../src/scorer.js';
import type { ScoreResult } from '../src/types.js';
import { checkOutput } from './helpers.js';

/**
 * The shipped character n-gram model (models/raqib-small/ngram.*): the TypeScript featuriser and
 * arithmetic reproduce the Python trainer's reference on a committed fixture, and its evidence names
 * words that are really in the record.
 */
const dir = DEFAULT_MODEL_DIR();
const parity = readFileSync(new URL('./fixtures/ngram-parity.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { text: string; buckets: number; probs: number[] });
const meta = JSON.parse(readFileSync(join(dir, 'ngram.json'), 'utf8')) as { min_n: number; max_n: number; buckets: number; labels: string[] };
const spec = { minN: meta.min_n, maxN: meta.max_n, buckets: meta.buckets };

let ngram: NgramClassifier;
let scorer: Scorer;
beforeAll(async () => {
  ngram = NgramClassifier.load(dir);
  scorer = await createScorer();
}, 60000);
afterAll(async () => {
  await scorer?.close();
});

describe('featuriser', () => {
  it('is zlib CRC-32', () => {
    // the check value of CRC-32/ISO-HDLC
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('pads words with spaces, counts code points, and takes a short word whole', () => {
    const b = (s: string) => ngramBuckets(s, { minN: 2, maxN: 3, buckets: 1 << 30 });
    const h = (s: string) => crc32(new TextEncoder().encode(s)) % (1 << 30);
    // " a " (3 code points): its 2-grams " a", "a ", then itself once for n = 3
    expect(b('a')).toEqual([h(' a'), h('a '), h(' a ')].sort((x, y) => x - y));
    // an emoji outside the BMP is one code point, as in Python
    expect(b('😀')).toEqual([h(' 😀'), h('😀 '), h(' 😀 ')].sort((x, y) => x - y));
    // a lone surrogate reads as U+FFFD
    expect(b('\ud800')).toEqual(b('\ufffd'));
    // repeated n-grams count once (binary features); empty words are skipped
    expect(b('ab ab')).toEqual(b('ab'));
    expect(b('')).toEqual([]);
  });

  it(`gives the Python bucket count on all ${parity.length} fixture strings`, () => {
    for (const p of parity) expect(ngramBuckets(p.text, spec).length, p.text.slice(0, 40)).toBe(p.buckets);
  });
});

describe('probability parity', () => {
  it('equals the Python reference (same quantised weights) within 1e-6', () => {
    let worst = 0;
    for (const p of parity) {
      const got = ngram.predict(p.text).labels;
      meta.labels.forEach((l, c) => (worst = Math.max(worst, Math.abs(got[l as keyof typeof got] - p.probs[c]))));
    }
    expect(worst).toBeLessThan(1e-6);
  });
});

describe('shipped files', () => {
  it('are the size the metadata says, and a wrong file is refused with its name', () => {
    expect(statSync(join(dir, 'ngram.bin')).size).toBe(meta.buckets * (1 + meta.labels.length));
    const copy = mkdtempSync(join(tmpdir(), 'raqib-ngram-'));
    try {
      cpSync(join(dir, 'ngram.json'), join(copy, 'ngram.json'));
      writeFileSync(join(copy, 'ngram.bin'), Buffer.alloc(10));
      expect(() => NgramClassifier.load(copy)).toThrow(/ngram\.bin: 10 bytes, expected/);
      writeFileSync(join(copy, 'ngram.json'), JSON.stringify({ ...meta, format: 'raqib-ngram/0' }));
      expect(() => NgramClassifier.load(copy)).toThrow(/format raqib-ngram\/0/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('a fusion fitted with the n-gram model is refused in a directory without it', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'raqib-ngram-'));
    try {
      cpSync(dir, copy, { recursive: true });
      rmSync(join(copy, 'ngram.json'));
      await expect(createScorer({ model: copy })).rejects.toThrow(/fusion\.json: fitted with ngram_logit/);
      await expect(createScorer({ model: copy, fusion: false, alone: 'ngram' })).rejects.toThrow(/no n-gram model/);
      // without fusion the transformer alone still scores
      const alone = await createScorer({ model: copy, fusion: false });
      expect(((await alone.score({ name: 'Sunset #1' })) as ScoreResult).score).toBeLessThan(0.5);
      await alone.close();
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('in the scorer', () => {
  it('reads propaganda and reporting apart on its own', () => {
    // synthetic examples
    const card = modelParts([{ path: 'description', text: 'Glory to the soldiers of the caliphate. Join the caravan of the mujahideen and support the brothers.' }]);
    const news = modelParts([{ path: 'description', text: 'Officials said the militants of the Islamic State group were driven out of the town, the ministry reported on Tuesday.' }]);
    expect(ngram.predict(card).labels.propaganda).toBeGreaterThan(0.5);
    expect(ngram.predict(news).labels.propaganda).toBeLessThan(0.5);
  });

  it('names words of a flagged record as evidence, where they are in the field', async () => {
    // synthetic: the propaganda only in the description
    const rec = { name: 'Sunset over the dunes #12', description: 'Glory to the soldiers of the caliphate, the Islamic State remains and expands: join the caravan of the mujahideen.' };
    const r = (await scorer.score(rec)) as ScoreResult;
    checkOutput(r);
    expect(r.flagged).toBe(true);
    expect(r.model?.ngram_sha256).toBe(ngram.info.sha256);
    const ev = r.evidence.filter((e) => e.rule === `model.${ngram.info.name}`);
    expect(ev.length).toBeGreaterThan(0);
    for (const e of ev) {
      expect(e.source).toBe('model');
      expect(e.match).toMatch(/^n-gram model: ".+" adds [0-9.]+ to the propaganda logit$/);
      const text = e.field === 'description' ? rec.description : rec.name;
      expect(text.slice(e.start, e.end)).toBe(e.text);
      expect(e.end - e.start).toBeLessThan(40);
    }
    expect(ev.map((e) => e.field)).toContain('description');
  });

  it('adds no evidence to a record it allows', async () => {
    const r = (await scorer.score({ name: 'Sunset over the dunes #12', description: 'A calm evening palette of sand and sky.' })) as ScoreResult;
    expect(r.flagged).toBe(false);
    expect(r.evidence.filter((e) => e.source === 'model')).toEqual([]);
  });
});
