import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateRecords } from '../scripts/generate-records.js';
import { Aggregator, aggregateFiles, summarize } from '../src/batch/aggregate.js';
import { jsonlChunks } from '../src/batch/chunks.js';
import { KeyMultiset } from '../src/batch/keys.js';
import { orderedMap } from '../src/batch/ordered.js';
import { createExecutor } from '../src/batch/pool.js';
import { truncateTornLine } from '../src/batch/resume.js';
import { scoreBatch } from '../src/batch/run.js';
import { aggregateCommand, scoreCommand } from '../src/cli/batch.js';
import { readRecords } from '../src/io/readers.js';
import { createScorer } from '../src/scorer.js';
import type { OutputRecord, ScoreResult } from '../src/types.js';
import { checkOutput } from './helpers.js';

/**
 * Batch scoring (src/batch): the worker pool gives the single-threaded scorer's output byte for byte,
 * one line per input record and in input order; --resume continues a killed job with nothing lost or
 * duplicated; per-actor aggregation counts what it should. The pool threads and the killed child
 * process run the build in dist/ (`npm test` builds first).
 */
const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist', 'src', 'cli', 'batch.js');
const dir = mkdtempSync(join(tmpdir(), 'raqib-batch-'));
const NO_MODEL = { model: false as const };

/** A JSONL input with everything a reader meets: a BOM, CRLF, blank lines, broken JSON, bad UTF-8, non-objects, records without id. */
function messyInput(n: number, seed: number): Buffer {
  const creators = ['0x000000000000000000000000000000000000dEaD', 'minter_0002', 'artist_0001'];
  const recs = generateRecords(n, seed).map((r, i) => ({ ...r, ...(i % 4 === 3 ? {} : { creator: creators[i % 3] }), collection: `c${i % 5}` }));
  const parts: Buffer[] = [Buffer.from('\ufeff')];
  recs.forEach((r, i) => {
    let line: Buffer = Buffer.from(JSON.stringify(r));
    if (i % 211 === 7) line = Buffer.from('{"id": "broken", ');
    if (i % 307 === 11) line = Buffer.from('');
    if (i % 401 === 13) line = Buffer.from(JSON.stringify({ name: `no id ${i}`, description: 'Amaq Agency release' }));
    if (i % 503 === 17) line = Buffer.from('"just a string"');
    if (i % 601 === 19) line = Buffer.concat([Buffer.from('{"id":"bytes-'), Buffer.from(String(i)), Buffer.from('","name":"caf'), Buffer.from([0xe9]), Buffer.from(' ok"}')]);
    if (i % 701 === 23) line = Buffer.from([0xff, 0xfe, 0xfd]);
    if (i % 97 === 5) line = Buffer.concat([line, Buffer.from('\r')]);
    parts.push(line, Buffer.from('\n'));
  });
  parts.pop(); // no newline after the last record
  return Buffer.concat(parts);
}

/** What `raqib score` writes, by definition: each record read in order, scored alone, one line each. */
async function reference(path: string): Promise<{ out: string; errors: string; records: number }> {
  const scorer = await createScorer(NO_MODEL);
  let out = '';
  let errors = '';
  let records = 0;
  for await (const raw of readRecords(path)) {
    const rec: OutputRecord = 'error' in raw ? { line: raw.line, error: raw.error } : await scorer.score(raw.value, { source: path, line: raw.line, warnings: raw.warnings });
    const line = `${JSON.stringify(rec)}\n`;
    out += line;
    if ('error' in rec) errors += line;
    records++;
  }
  await scorer.close();
  return { out, errors, records };
}

function runCli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, timeout: 120000 });
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

const input = join(dir, 'messy.jsonl');
let ref: { out: string; errors: string; records: number };

beforeAll(async () => {
  writeFileSync(input, messyInput(3000, 11));
  ref = await reference(input);
}, 120000);

describe('worker pool behind the streaming scorer', () => {
  it('gives the single-threaded output byte for byte: one line per input record, in order, errors in place', async () => {
    const out = join(dir, 'pool.jsonl');
    const errs = join(dir, 'pool-errors.jsonl');
    expect(await scoreCommand([input, '--workers', '2', '--no-model', '--out', out, '--errors', errs])).toBe(1);
    const got = readFileSync(out, 'utf8');
    expect(got).toBe(ref.out);
    expect(readFileSync(errs, 'utf8')).toBe(ref.errors);
    const lines = got.split('\n').filter(Boolean);
    expect(lines).toHaveLength(ref.records);
    // every line is a schema-valid result or error record; all error kinds are represented
    const codes = new Set<string>();
    for (const l of lines) {
      const rec = JSON.parse(l);
      checkOutput(rec);
      if (rec.error) codes.add(rec.error.code);
    }
    expect([...codes].sort()).toEqual(['invalid_utf8', 'malformed_json', 'not_an_object']);
  }, 120000);

  it('keeps order whatever the task size and window (tiny tasks, window 1 and 64)', async () => {
    const exec = await createExecutor({ workers: 2, scorer: NO_MODEL });
    try {
      for (const window of [1, 64]) {
        let text = '';
        let tasks = 0;
        for await (const r of scoreBatch({ inputs: [input], workers: 2, scorer: NO_MODEL, executor: exec, window, chunkBytes: 700 })) {
          text += r.text;
          tasks++;
        }
        expect(text).toBe(ref.out);
        expect(tasks).toBeGreaterThan(50);
      }
    } finally {
      await exec.close();
    }
  }, 120000);

  it('scores CSV and JSON documents through the pool too', async () => {
    for (const f of ['data/samples/marketplace-scrape.csv', 'data/samples/erc721-collection.json']) {
      const path = join(root, f);
      const want = (await reference(path)).out;
      let got = '';
      for await (const r of scoreBatch({ inputs: [path], workers: 2, scorer: NO_MODEL, chunkRecords: 2 })) got += r.text;
      // ids fall back to <file>:<n> with the path as given
      expect(got).toBe(want);
    }
  }, 120000);

  it('reads stdin in the calling thread and still writes one line per record', async () => {
    const small = Buffer.from('{"id":"a","name":"Sunset"}\n\n{"id":"b",\n[1]\n{"id":"c","description":"Amaq Agency release"}');
    let got = '';
    for await (const r of scoreBatch({ inputs: ['-'], stdin: Readable.from([small.subarray(0, 10), small.subarray(10)]), workers: 1, scorer: NO_MODEL })) got += r.text;
    const lines = got.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id ?? l.error.code)).toEqual(['a', 'malformed_json', 'not_an_object', 'c']);
    expect(lines.map((l) => l.line ?? null)).toEqual([null, 3, 4, null]);
  }, 60000);

  it('bounds the work in flight: a slow consumer stops the reader', async () => {
    let started = 0;
    const source = (async function* () {
      for (let i = 0; i < 1000; i++) yield i;
    })();
    const seen: number[] = [];
    for await (const x of orderedMap(source, async (i) => {
      started++;
      await new Promise((r) => setTimeout(r, (i * 7) % 5));
      return i;
    }, 4)) {
      seen.push(x);
      expect(started - seen.length).toBeLessThanOrEqual(4);
    }
    expect(seen).toEqual([...Array(1000).keys()]);
  });

  it('cuts JSONL into whole lines, numbered as in the file', async () => {
    const bytes = Buffer.from('a\nbb\n\nccc\r\nd');
    const chunks = [];
    for await (const c of jsonlChunks(Readable.from([bytes.subarray(0, 3), bytes.subarray(3, 7), bytes.subarray(7)]), { minBytes: 1, maxBytes: 4 })) chunks.push(c);
    expect(Buffer.concat(chunks.map((c) => c.bytes)).equals(bytes)).toBe(true);
    for (const c of chunks.slice(0, -1)) expect(c.bytes[c.bytes.length - 1]).toBe(0x0a);
    let line = 1;
    for (const c of chunks) {
      expect(c.firstLine).toBe(line);
      line += c.lines;
    }
    expect(line - 1).toBe(5);
  });
});

describe('--resume', () => {
  it('continues after a torn last line: nothing lost, nothing twice, the errors file rebuilt', async () => {
    const lines = ref.out.split('\n').slice(0, -1);
    // cut after a malformed line (its output has no id: it is recognised by position) and in the middle of the next
    const k = lines.findIndex((l, i) => i > 1000 && l.startsWith('{"line"')) + 1;
    expect(k).toBeGreaterThan(1000);
    const out = join(dir, 'resume.jsonl');
    const errs = join(dir, 'resume-errors.jsonl');
    writeFileSync(out, `${lines.slice(0, k).join('\n')}\n${lines[k].slice(0, 40)}`);
    writeFileSync(errs, 'stale\n');
    expect(await scoreCommand([input, '--no-model', '--workers', '2', '--resume', '--out', out, '--errors', errs])).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe(ref.out);
    expect(readFileSync(errs, 'utf8')).toBe(ref.errors);
    // a finished file stays as it is
    expect(await scoreCommand([input, '--no-model', '--workers', '1', '--resume', '--out', out])).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe(ref.out);
  }, 120000);

  it('truncates only a torn line', () => {
    const f = join(dir, 'torn.txt');
    writeFileSync(f, 'one\ntwo\nthr');
    expect(truncateTornLine(f)).toBe(3);
    expect(readFileSync(f, 'utf8')).toBe('one\ntwo\n');
    expect(truncateTornLine(f)).toBe(0);
    writeFileSync(f, 'no newline at all');
    truncateTornLine(f);
    expect(readFileSync(f, 'utf8')).toBe('');
  });

  it('refuses an output file that is not raqib output', async () => {
    const f = join(dir, 'not-output.jsonl');
    writeFileSync(f, '{"hello":1}\n');
    await expect(scoreCommand([input, '--no-model', '--resume', '--out', f])).rejects.toThrow(/not a raqib output record/);
  });

  it('a real child process killed mid-run (SIGKILL) and resumed gives the complete output, with a matching summary', async () => {
    const big = join(dir, 'big.jsonl');
    writeFileSync(big, messyInput(12000, 5));
    const want = await reference(big);
    const out = join(dir, 'killed.jsonl');
    const args = [cli, 'score', big, '--no-model', '--workers', '2', '--out', out, '--group-by', 'creator'];
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // kill once a fifth of the output is there
    const target = want.out.length / 5;
    for (;;) {
      await new Promise((r) => setTimeout(r, 20));
      if (existsSync(out) && statSync(out).size >= target) break;
    }
    child.kill('SIGKILL');
    expect(await exited).toBe(null);
    const partial = readFileSync(out, 'utf8');
    expect(partial.length).toBeLessThan(want.out.length);
    expect(want.out.startsWith(partial.slice(0, partial.lastIndexOf('\n') + 1))).toBe(true);
    // no summary from the killed run; the resumed one covers the whole output
    const summary = join(dir, 'killed.by-creator.jsonl');
    expect(existsSync(summary)).toBe(false);
    const r = runCli(['score', big, '--no-model', '--workers', '2', '--resume', '--out', out, '--group-by', 'creator']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/resuming/);
    expect(readFileSync(out, 'utf8')).toBe(want.out);
    const agg = new Aggregator('creator');
    await aggregateFiles([out], [agg]);
    const rows = readFileSync(summary, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toEqual(JSON.parse(JSON.stringify(agg.rows())));
    expect(rows.reduce((s, x) => s + x.records, 0) + agg.errors).toBe(want.records);
  }, 180000);
});

describe('aggregation by actor', () => {
  const result = (id: string, creator: string | undefined, decision: 'allow' | 'review' | 'block', score: number, cats: string[], langs: string[], terms: Array<[string, string, string?]>): ScoreResult => {
    const categories = Object.fromEntries(['glorification', 'recruitment', 'fundraising', 'instructional', 'branding', 'threat'].map((c) => [c, cats.includes(c)]));
    return {
      id,
      flagged: decision !== 'allow',
      decision,
      score,
      label_scores: { propaganda: score, about_extremism: 0, benign: 1 - score },
      categories,
      category_scores: Object.fromEntries(Object.keys(categories).map((c) => [c, cats.includes(c) ? score : 0])),
      context: { reporting: 0, counter_speech: 0, benign_sense: 0 },
      fields: Object.fromEntries(langs.map((l, i) => [i === 0 ? 'name' : `description${i}`, { lang: l, script: 'Latn', confidence: 1, score }])),
      evidence: terms.map(([rule, match, suppressed], i) => ({ field: 'name', start: i, end: i + 1, text: match, match, gloss_en: `gloss of ${rule}`, category: 'glorification', source: 'lexicon', rule, weight: 0.5, ...(suppressed ? { suppressed_by: suppressed } : {}) })),
      indicators: [],
      actors: creator ? { creator, collection: 'C' } : { collection: 'C' },
      content_hash: 'sha256:x',
      warnings: [],
      model: null,
      version: { raqib: '0', lexicons: 'x', config: 'y' },
    } as unknown as ScoreResult;
  };
  const fixture: OutputRecord[] = [
    result('a1', 'alice', 'block', 0.9, ['glorification', 'branding'], ['ar', 'en'], [['ar.cue.x', 'x'], ['ar.cue.x', 'x'], ['ar.org.y', 'y']]),
    result('a2', 'alice', 'review', 0.6, ['glorification'], ['ar'], [['ar.cue.x', 'x'], ['en.benign', 'isis', 'goddess']]),
    result('a3', 'alice', 'allow', 0.1, [], ['ar', 'ar'], []),
    result('b1', 'bob', 'allow', 0.2, [], ['fr'], [['ar.org.y', 'y']]),
    result('b2', 'bob', 'allow', 0, [], ['und'], []),
    result('n1', undefined, 'review', 0.55, ['recruitment'], ['ur'], [['ur.cue.z', 'z']]),
    { line: 9, error: { code: 'malformed_json', message: 'line 9: bad' } },
    { id: 'e2', line: 10, error: { code: 'no_text', message: 'nothing to score' } },
  ];

  it('counts records, flags, decisions, scores, categories, languages and top evidence per actor', async () => {
    const f = join(dir, 'fixture-results.jsonl');
    writeFileSync(f, `${fixture.map((r) => JSON.stringify(r)).join('\n')}\n{"torn`);
    const out = join(dir, 'fixture-by-creator.jsonl');
    // the torn last line is reported (exit 1) and skipped
    expect(await aggregateCommand([f, '--by', 'creator', '--out', out, '--top', '2'])).toBe(1);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.actor)).toEqual(['alice', 'bob', null]);
    const [alice, bob, none] = rows;
    expect(alice).toMatchObject({
      by: 'creator',
      records: 3,
      flagged: 2,
      decisions: { allow: 1, review: 1, block: 1 },
      score_max: 0.9,
      score_mean: 0.5333,
      categories: { glorification: 2, branding: 1, recruitment: 0, fundraising: 0, instructional: 0, threat: 0 },
      languages: { ar: 3, en: 1 },
      flagged_ids: ['a1', 'a2'],
    });
    // "x" matched 3 times in 2 records; "y" once; the cancelled "isis" is not counted
    expect(alice.top_evidence).toEqual([
      { rule: 'ar.cue.x', match: 'x', category: 'glorification', gloss_en: 'gloss of ar.cue.x', records: 2, count: 3 },
      { rule: 'ar.org.y', match: 'y', category: 'glorification', gloss_en: 'gloss of ar.org.y', records: 1, count: 1 },
    ]);
    expect(bob).toMatchObject({ records: 2, flagged: 0, score_max: 0.2, score_mean: 0.1, languages: { fr: 1, und: 1 }, flagged_ids: [] });
    expect(none).toMatchObject({ records: 1, flagged: 1, categories: { recruitment: 1 } });
  });

  it('groups by several actors at once, and by collection', () => {
    const byCollection = new Aggregator('collection');
    const byCreator = new Aggregator('creator');
    for (const r of fixture) {
      const s = summarize(r);
      byCollection.add(s);
      byCreator.add(s);
    }
    expect(byCollection.rows()).toHaveLength(1);
    expect(byCollection.rows()[0]).toMatchObject({ by: 'collection', actor: 'C', records: 6, flagged: 3, score_max: 0.9 });
    expect(byCreator.errors).toBe(2);
    expect(byCreator.records).toBe(6);
  });

  it('score --group-by writes the same summary as aggregate over its output', async () => {
    const out = join(dir, 'grouped.jsonl');
    expect(await scoreCommand([input, '--no-model', '--workers', '2', '--out', out, '--group-by', 'creator,collection'])).toBe(1);
    const summary = readFileSync(join(dir, 'grouped.by-creator-collection.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const aggs = [new Aggregator('creator'), new Aggregator('collection')];
    await aggregateFiles([out], aggs);
    expect(summary).toEqual(JSON.parse(JSON.stringify(aggs.flatMap((a) => a.rows()))));
    // the records made up without an id have no collection either: they are grouped under null, last
    expect(summary.filter((r) => r.by === 'collection').map((r) => r.actor)).toEqual(expect.arrayContaining(['c0', 'c1', 'c2', 'c3', 'c4']));
    expect(summary.filter((r) => r.by === 'collection').at(-1).actor).toBe(null);
    expect(summary.filter((r) => r.by === 'creator').some((r) => r.actor === null)).toBe(true);
  }, 120000);
});

describe('batch command line', () => {
  it('usage errors exit 2', async () => {
    expect(await scoreCommand([input, '--resume'])).toBe(2);
    expect(await scoreCommand([input, '--group-by', 'wallet', '--out', join(dir, 'x.jsonl')])).toBe(2);
    expect(await scoreCommand([input, '--group-by', 'creator'])).toBe(2);
    expect(await scoreCommand([input, '--workers', '0'])).toBe(2);
    expect(await aggregateCommand([join(dir, 'nope.jsonl')])).toBe(2);
  });

  it('a bad lexicon in a pool thread is a setup error, before any output is written', async () => {
    const out = join(dir, 'never.jsonl');
    await expect(scoreCommand([input, '--workers', '2', '--no-model', '--lexicon', join(root, 'test/fixtures/bad-lexicon.json'), '--out', out])).rejects.toThrow(/bad-lexicon\.json/);
    expect(existsSync(out)).toBe(false);
  }, 60000);
});

describe('KeyMultiset', () => {
  it('remembers keys with their multiplicity, through growth', () => {
    const s = new KeyMultiset(4);
    for (let i = 0; i < 50000; i++) s.add(`id-${i}`);
    s.add('id-7');
    expect(s.size).toBe(50001);
    expect(s.take('id-7')).toBe(true);
    expect(s.take('id-7')).toBe(true);
    expect(s.take('id-7')).toBe(false);
    expect(s.take('id-50000')).toBe(false);
    expect(s.take('')).toBe(false);
    for (let i = 0; i < 50000; i++) if (i !== 7) expect(s.take(`id-${i}`)).toBe(true);
    expect(s.size).toBe(0);
  });
});
