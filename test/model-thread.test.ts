import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adaptRecord } from '../src/adapter/record.js';
import { ModelClassifier } from '../src/model/classifier.js';
import { modelParts } from '../src/model/input.js';
import { DEFAULT_MODEL_DIR } from '../src/model/location.js';
import { ModelThread } from '../src/model/thread.js';
import { createScorer } from '../src/scorer.js';
import type { OutputRecord } from '../src/types.js';
import { readJsonl } from './helpers.js';

/**
 * The model on its own thread (the default) must be the in-process model, only elsewhere: the same
 * probabilities, the same output records, and a process that still ends when its work is done.
 */
const dir = DEFAULT_MODEL_DIR();
let inProcess: ModelClassifier;
let thread: ModelThread;

beforeAll(async () => {
  [inProcess, thread] = await Promise.all([ModelClassifier.load(dir), ModelThread.load(dir)]);
}, 60000);

afterAll(async () => {
  await inProcess?.dispose();
  await thread?.dispose();
});

describe('the model on its own thread', () => {
  it('answers as the in-process classifier on 600 test-split records, in two concurrent requests', async () => {
    const texts = readFileSync(new URL('../data/corpus/test.jsonl', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .slice(0, 600)
      .map((l) => {
        const a = adaptRecord(JSON.parse(l), { source: 'test.jsonl', line: 0, maxFieldLength: 10000, maxFields: 500 });
        if (!a.ok) throw new Error(a.error.message);
        return modelParts(a.record.fields);
      });
    const [a, b] = await Promise.all([thread.classify(texts.slice(0, 300)), thread.classify(texts.slice(300))]);
    const here = await inProcess.classify(texts);
    expect(thread.info).toEqual(inProcess.info);
    [...a, ...b].forEach((p, i) => {
      expect(p.window).toBe(here[i].window);
      for (const k of ['propaganda', 'about_extremism', 'benign'] as const) expect(p.labels[k]).toBeCloseTo(here[i].labels[k], 6);
    });
  });

  it('gives the scorer the same output records as the in-process model', async () => {
    const records = readJsonl(new URL('../data/samples/nft-sample.jsonl', import.meta.url));
    const run = async (modelThread: boolean) => {
      const s = await createScorer({ modelThread, batchSize: 8 }); // several batches, two in flight
      const out: OutputRecord[] = [];
      for await (const r of s.scoreMany(records)) out.push(r);
      await s.close();
      return out;
    };
    const [threaded, local] = [await run(true), await run(false)];
    expect(threaded).toHaveLength(records.length);
    expect(threaded).toEqual(local);
  }, 60000);

  it('names the missing model, and refuses work once closed', async () => {
    await expect(ModelThread.load('/nonexistent/raqib-model')).rejects.toThrow(/no model at \/nonexistent\/raqib-model/);
    const t = await ModelThread.load(dir);
    await t.dispose();
    await expect(t.classify(['[T] golden fox'])).rejects.toThrow(/closed/);
  });

  it('does not keep a process alive that never closes its scorer', () => {
    const code = `import('./dist/src/index.js').then(async (m) => { const s = await m.createScorer(); const r = await s.score({ name: 'Golden Fox #12' }); console.log(r.model ? 'scored with model' : 'no model'); });`;
    const res = spawnSync(process.execPath, ['-e', code], { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8', timeout: 30000 });
    expect(res.signal).toBeNull(); // not killed by the timeout
    expect(res.status).toBe(0);
    expect(res.stdout.trim()).toBe('scored with model');
  });
});
