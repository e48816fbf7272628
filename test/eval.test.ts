import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildScorerReport } from '../src/eval/build.js';
import type { ScoredRow } from '../src/eval/collect.js';
import { renderMarkdown } from '../src/eval/markdown.js';
import type { EvalReport } from '../src/eval/report-types.js';
import { evaluate } from '../src/eval/run.js';
import { sourceCollections } from '../src/eval/source.js';

const fixture = new URL('./fixtures/eval-small.jsonl', import.meta.url).pathname;

function row(id: string, y: 0 | 1, score: number, decision: ScoredRow['decision'], extra: Partial<ScoredRow> = {}): ScoredRow {
  return { id, file: 'f', line: 1, label: y ? 'propaganda' : 'benign', y, source: 's', evasion: [], detectedLang: 'en', driver: 'title', score, decision, predicted: y ? 'propaganda' : 'benign', evidence: [], text: id, ...extra };
}

describe('report building on hand-computed rows', () => {
  // 3 positives (one blocked, one reviewed, one missed), 3 negatives (one false review)
  const rows = [
    row('p1', 1, 0.95, 'block', { detectedLang: 'ar' }),
    row('p2', 1, 0.6, 'review', { detectedLang: 'ar', evasion: ['tatweel'] }),
    row('p3', 1, 0.2, 'allow', { detectedLang: 'en' }),
    row('n1', 0, 0.55, 'review', { detectedLang: 'en' }),
    row('n2', 0, 0.1, 'allow', { detectedLang: 'en' }),
    row('n3', 0, 0.1, 'allow', { detectedLang: 'fr' }),
  ];
  const r = buildScorerReport('lexicon', rows, { breakdowns: ['lang', 'evasion'], targetPrecision: 0.95, bootstrap: 50, seed: 1, topErrors: 5 });

  it('confusion at the decision rule', () => {
    expect(r.review).toMatchObject({ tp: 2, fp: 1, tn: 2, fn: 1 });
    expect(r.review.precision).toBeCloseTo(2 / 3);
    expect(r.review.recall).toBeCloseTo(2 / 3);
    expect(r.review.fpr).toBeCloseTo(1 / 3);
    expect(r.block).toMatchObject({ tp: 1, fp: 0, tn: 3, fn: 2 });
    expect(r.block.precision).toBe(1);
  });

  it('threshold-free metrics: AUC by pair counting', () => {
    // pairs (pos, neg): p1 beats all 3, p2 beats all 3, p3 (0.2) beats n2,n3 and loses to n1 → 8/9
    expect(r.rocAuc?.estimate).toBeCloseTo(8 / 9);
    expect(r.rocAuc!.lo).toBeLessThanOrEqual(r.rocAuc!.estimate);
  });

  it('breakdowns by language and evasion, with the errors listed', () => {
    const ar = r.breakdowns['detected language'].find((c) => c.key === 'ar')!;
    expect(ar).toMatchObject({ n: 2, positives: 2, flagged: 2 });
    expect(ar.fpr).toBeNull(); // no negatives in the cell: no rate, not 0
    const fr = r.breakdowns['detected language'].find((c) => c.key === 'fr')!;
    expect(fr.recall).toBeNull();
    expect(fr.fpr?.estimate).toBe(0);
    expect(r.breakdowns.evasion.map((c) => c.key).sort()).toEqual(['(none)', 'tatweel']);
    expect(r.errors.falsePositives.map((x) => x.id)).toEqual(['n1']);
    expect(r.errors.falseNegatives.map((x) => x.id)).toEqual(['p3']);
  });

  it('a single-class set gives no AUC rather than a wrong one', () => {
    const one = buildScorerReport('lexicon', rows.filter((x) => x.y === 0), { breakdowns: [], targetPrecision: 0.95, bootstrap: 20, seed: 1, topErrors: 5 });
    expect(one.rocAuc).toBeNull();
    expect(one.review.recall).toBeNull();
    expect(one.review.fpr).toBeCloseTo(1 / 3);
  });
});

describe('per-source breakdown', () => {
  it('a folder of one-record files is one collection; a file of many records, an archive or a fragment stays its file', () => {
    const tweets = Array.from({ length: 25 }, (_, i) => `lab/tweets:data/positive/${i}.json`);
    const days = Array.from({ length: 25 }, (_, i) => `news/set:dataset/2015-07-${i}.zip/2015-07-${i}.json#${i}`);
    const m = sourceCollections([...tweets, ...days, 'lab/tweets:data/extra.json', 'corpus.jsonl:tsA', 'other:few/1.json', 'other:few/2.json']);
    expect(new Set(tweets.map((t) => m.get(t)))).toEqual(new Set(['lab/tweets:data/positive/*']));
    expect(m.get('lab/tweets:data/extra.json')).toBe('lab/tweets:data/extra.json');
    expect(m.get(days[3])).toBe('news/set:dataset/*');
    expect(m.get('corpus.jsonl:tsA')).toBe('corpus.jsonl:tsA');
    expect(m.get('other:few/1.json')).toBe('other:few/1.json');
  });

  it('the report groups rows by collection', () => {
    const rows = Array.from({ length: 30 }, (_, i) => row(`t${i}`, i % 2 ? 1 : 0, i % 2 ? 0.9 : 0.1, i % 2 ? 'block' : 'allow', { source: `lab/tweets:data/x/${i}.json` }));
    const r = buildScorerReport('fused', rows, { breakdowns: ['source'], targetPrecision: 0.95, bootstrap: 10, seed: 1, topErrors: 5 });
    expect(r.breakdowns.source.map((c) => [c.key, c.n])).toEqual([['lab/tweets:data/x/*', 30]]);
  });
});

describe('evaluate', () => {
  let report: EvalReport;
  beforeAll(async () => {
    report = await evaluate({ files: [fixture], bootstrap: 100 });
  });

  it('scores every labelled record and lists the unreadable ones', () => {
    expect(report.files).toEqual([{ file: 'eval-small.jsonl', records: 35, positives: 16, unreadable: 2 }]);
    expect(report.unreadable.map((u) => u.code).sort()).toEqual(['malformed_json', 'no_label']);
    const s = report.scorers[0];
    expect(s.review.tp + s.review.fp + s.review.tn + s.review.fn).toBe(35);
    expect(s.threeWay.matrix.flat().reduce((a, b) => a + b, 0)).toBe(35);
  });

  it('the same numbers in JSON and Markdown', () => {
    const md = renderMarkdown(report);
    const s = report.scorers[0];
    expect(md).toContain(`| review or block | ${(100 * s.review.precision!).toFixed(1)} | ${(100 * s.review.recall!).toFixed(1)} |`);
    expect(md).toContain(`${s.n} records, ${s.positives} positive`);
  });

  it('a model scorer without a model is refused, naming the directory', async () => {
    await expect(evaluate({ files: [fixture], scorers: ['model'], scorerOptions: { model: '/nonexistent/raqib-model' } })).rejects.toThrow(/no model at \/nonexistent\/raqib-model/);
  });
});

describe('raqib eval (CLI)', () => {
  it('writes the three reports and a summary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'raqib-eval-'));
    const bin = new URL('../bin/raqib.js', import.meta.url).pathname;
    const r = spawnSync(process.execPath, [bin, 'eval', fixture, '--json', join(dir, 'r.json'), '--md', join(dir, 'r.md'), '--html', join(dir, 'r.html'), '--bootstrap', '50'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^lexicon: 35 records \(16 positive, 0 unscoreable\)/);
    const json = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as EvalReport;
    expect(json.scorers[0].n).toBe(35);
    expect(readFileSync(join(dir, 'r.md'), 'utf8')).toMatch(/### scorer: lexicon/);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).toMatch(/Content-Security-Policy/);
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=["']?https?:/i); // nothing to fetch
    const bad = spawnSync(process.execPath, [bin, 'eval', fixture, '--by', 'colour'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--by/);
  });

  it('--model chooses the model directory the model scorer reads', () => {
    const bin = new URL('../bin/raqib.js', import.meta.url).pathname;
    const shipped = new URL('../models/raqib-small', import.meta.url).pathname;
    const ok = spawnSync(process.execPath, [bin, 'eval', fixture, '--scorer', 'model', '--model', shipped, '--bootstrap', '20'], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^model: 35 records/);
    const missing = spawnSync(process.execPath, [bin, 'eval', fixture, '--scorer', 'model', '--model', '/nonexistent/raqib-model'], { encoding: 'utf8' });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/no model at \/nonexistent\/raqib-model/);
  });
});
