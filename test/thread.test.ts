import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelClassifier } from '../src/model/classifier.js';
import { modelParts } from '../src/model/input.js';
import { DEFAULT_MODEL_DIR } from '../src/model/location.js';
import { ModelThread } from '../src/model/thread.js';
import { inGroups, mapOrdered } from '../src/ordered.js';
import { createScorer, type Scorer } from '../src/scorer.js';
import { packageRoot } from '../src/paths.js';
import { readJsonl } from './helpers.js';

/**
 * The transformer can run in a worker thread of its own (src/model/thread.ts, `modelThread`). These tests hold
 * it to the in-thread classifier's answers, to input order under several batches in flight, and to the
 * promise that a scorer nobody closes does not keep the process alive.
 */
const samples = readJsonl(new URL('../data/samples/nft-sample.jsonl', import.meta.url)) as Array<Record<string, unknown>>;
const dir = DEFAULT_MODEL_DIR();

let inThread: ModelClassifier;
let threaded: ModelThread;
beforeAll(async () => {
  inThread = await ModelClassifier.load(dir, 'q8');
  threaded = await ModelThread.load(dir, 'q8');
}, 60000);
afterAll(async () => {
  await inThread?.dispose();
  await threaded?.dispose();
});

const partsOf = (r: Record<string, unknown>) =>
  modelParts(Object.entries(r).filter(([k, v]) => typeof v === 'string' && k !== 'id').map(([k, v]) => ({ path: k, text: v as string })));

describe('the model thread', () => {
  it('answers what the classifier in this thread answers, for every sample, in order', async () => {
    const texts = samples.map(partsOf);
    const a = await inThread.classify(texts, 8);
    const b = await threaded.classify(texts, 8);
    // the thread runs onnxruntime with 1 intra-op thread, this one with its default: equal up to float noise
    b.forEach((p, i) => {
      expect(p.window).toBe(a[i].window);
      for (const [k, v] of Object.entries(p.labels)) expect(v).toBeCloseTo(a[i].labels[k as keyof typeof p.labels], 6);
      for (const [k, v] of Object.entries(p.categories)) expect(v).toBeCloseTo(a[i].categories[k as keyof typeof p.categories], 6);
    });
    expect(threaded.info).toEqual(inThread.info);
  });

  it('keeps requests apart when several are under way at once', async () => {
    const texts = samples.map(partsOf);
    const one = await Promise.all(texts.map((t) => threaded.classify([t])));
    const all = await threaded.classify(texts);
    one.forEach((p, i) => expect(p[0].labels.propaganda).toBeCloseTo(all[i].labels.propaganda, 6));
  });

  it('fails with the loader\'s message for a directory without a model', async () => {
    await expect(ModelThread.load('/nonexistent/raqib-model', 'q8')).rejects.toThrow(/no model at \/nonexistent\/raqib-model/);
  });

  it('rejects requests after it is closed', async () => {
    const t = await ModelThread.load(dir, 'q8');
    await t.dispose();
    await expect(t.classify([partsOf(samples[0])])).rejects.toThrow(/closed/);
  });
});

describe('a scorer with the model thread', () => {
  let threadedScorer: Scorer;
  let plainScorer: Scorer;
  beforeAll(async () => {
    threadedScorer = await createScorer({ modelThread: true });
    plainScorer = await createScorer();
  }, 60000);
  afterAll(async () => {
    await threadedScorer?.close();
    await plainScorer?.close();
  });

  it('scores every sample exactly as the scorer without it, through scoreMany with batches in flight', async () => {
    // 36 samples in groups of 4, 8, 16 and 8 (rising towards 256 records), three under way at once
    const small = await createScorer({ batchSize: 4, modelThread: true });
    expect(small.batchesInFlight).toBe(3);
    expect(plainScorer.batchesInFlight).toBe(1);
    expect(plainScorer.streamGroup).toBe(256);
    expect(small.streamGroup).toBe(256);
    try {
      const many = [];
      for await (const r of small.scoreMany(samples, { source: 'samples' })) many.push(r);
      const plain = [];
      for (const [i, s] of samples.entries()) plain.push(await plainScorer.score(s, { source: 'samples', line: i + 1 }));
      expect(many).toEqual(plain);
      expect(many.filter((r) => 'flagged' in r && r.flagged).length).toBeGreaterThan(0);
    } finally {
      await small.close();
    }
  });

  it('does not keep the process alive when nobody closes it, in a process run with --input-type', async () => {
    const script = `import { createScorer } from ${JSON.stringify(`${packageRoot()}/dist/src/scorer.js`)};
const s = await createScorer({ modelThread: true });
const r = await s.score({ name: 'Sunset over the dunes #12' });
console.log(r.flagged);`;
    // run as `node --input-type=module -e`, a flag the model thread must not inherit (it would refuse its file)
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 30000 });
    expect(stdout.trim()).toBe('false');
  });
});

describe('mapOrdered', () => {
  const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('yields results in input order with at most `depth` calls under way', async () => {
    let running = 0;
    let most = 0;
    const out: number[] = [];
    // later items finish first: order must come from the input, not from completion
    for await (const x of mapOrdered([5, 4, 3, 2, 1, 0], async (n) => {
      most = Math.max(most, ++running);
      await delay(n * 3);
      running--;
      return n * 10;
    }, 3)) out.push(x);
    expect(out).toEqual([50, 40, 30, 20, 10, 0]);
    expect(most).toBe(3);
  });

  it('passes a failure on at its place, after the results before it', async () => {
    const out: number[] = [];
    const run = async () => {
      for await (const x of mapOrdered([1, 2, 3, 4], async (n) => {
        if (n === 3) throw new Error('record 3 failed');
        await delay(5);
        return n;
      }, 2)) out.push(x);
    };
    await expect(run()).rejects.toThrow('record 3 failed');
    expect(out).toEqual([1, 2]);
  });

  it('inGroups drops nothing', async () => {
    const groups = [];
    for await (const g of inGroups([1, 2, 3, 4, 5, 6, 7], 3)) groups.push(g);
    expect(groups).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('inGroups can start small and double up to the group size, so a stream answers early', async () => {
    const groups = [];
    for await (const g of inGroups([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 4, 1)) groups.push(g);
    expect(groups).toEqual([[1], [2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12]]);
  });
});
