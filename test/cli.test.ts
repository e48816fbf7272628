import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutput } from './helpers.js';

/** The CLI end to end, as a user runs it (built by `npm test`'s pretest step). */
const bin = new URL('../bin/raqib.js', import.meta.url).pathname;
const root = new URL('..', import.meta.url).pathname;

function run(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, input, timeout: 60000 });
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

function lines(s: string): unknown[] {
  return s.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
}

describe('raqib score', () => {
  it('scores the shipped JSONL sample: one schema-valid line per record, nothing else on stdout', () => {
    const r = run(['score', 'data/samples/nft-sample.jsonl']);
    expect(r.code).toBe(0);
    const input = readFileSync(join(root, 'data/samples/nft-sample.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
    const out = lines(r.stdout);
    expect(out).toHaveLength(input.length);
    for (const o of out) expect(checkOutput(o)).toBe('result');
    expect(out.map((o) => (o as { id: string }).id)).toEqual(input.map((l) => JSON.parse(l).id));
  });

  it('--model-thread writes exactly what the default writes, errors in place included', () => {
    // the sample, with a broken line in the middle, across several batches in flight
    const sample = readFileSync(join(root, 'data/samples/nft-sample.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
    const input = [...sample, '{"broken', ...sample, ...sample].join('\n') + '\n';
    const plain = run(['score', '-'], input);
    const threaded = run(['score', '-', '--model-thread'], input);
    expect(threaded.code).toBe(1);
    expect(plain.code).toBe(1);
    expect(threaded.stdout).toBe(plain.stdout);
    expect(lines(threaded.stdout)).toHaveLength(sample.length * 3 + 1);
  });

  it('reads CSV and JSON arrays by extension', () => {
    const csv = run(['score', 'data/samples/marketplace-scrape.csv']);
    expect(csv.code).toBe(0);
    const c = lines(csv.stdout) as Array<{ id: string; fields: Record<string, unknown>; actors: Record<string, string> }>;
    expect(c.map((x) => x.id)).toEqual(['scrape-01', 'scrape-02', 'scrape-03', 'scrape-04']);
    expect(Object.keys(c[0].fields)).toContain('image_caption');
    expect(Object.keys(c[0].fields)).toContain('attributes[Background]');
    expect(c[1].actors.creator).toBe('minter_0002');
    const json = run(['score', 'data/samples/erc721-collection.json']);
    expect(json.code).toBe(0);
    const j = lines(json.stdout) as Array<{ id: string; warnings: Array<{ code: string }>; flagged: boolean }>;
    expect(j.map((x) => x.id)).toEqual([1, 2, 3, 4].map((n) => `data/samples/erc721-collection.json:${n}`));
    expect(j[1].flagged).toBe(true);
    expect(j[3].warnings.map((w) => w.code)).toContain('coerced_to_text');
  });

  it('writes one error line in place for each bad record, copies errors to --errors, exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'raqib-'));
    const bad = Buffer.concat([
      Buffer.from('{"id":"ok-1","name":"Sunset"}\n'),
      Buffer.from('{"id":"broken", "name": \n'),
      Buffer.from('[1,2,3]\n'),
      Buffer.from('\n'),
      Buffer.from([0xff, 0xfe, 0xfd, 0x0a]),
      Buffer.from('{"id":"bytes","name":"caf'),
      Buffer.from([0xe9]),
      Buffer.from(' ok"}\n'),
      Buffer.from('{"id":"empty","image":"ipfs://x"}\n'),
      Buffer.from('{"id":"ok-2","description":"Ramadan lanterns"}'),
    ]);
    const errFile = join(dir, 'errors.jsonl');
    const r = run(['score', '-', '--errors', errFile], bad);
    expect(r.code).toBe(1);
    const out = lines(r.stdout) as Array<Record<string, unknown>>;
    expect(out).toHaveLength(7);
    for (const o of out) checkOutput(o);
    expect(out.map((o) => (o.error as { code?: string } | undefined)?.code ?? 'ok')).toEqual(['ok', 'malformed_json', 'not_an_object', 'invalid_utf8', 'ok', 'no_text', 'ok']);
    expect(out.map((o) => o.line ?? null)).toEqual([null, 2, 3, 5, null, 7, null]);
    expect((out[4].warnings as Array<{ code: string }>).map((w) => w.code)).toContain('invalid_utf8');
    expect(out[5].id).toBe('empty');
    expect(lines(readFileSync(errFile, 'utf8'))).toHaveLength(4);
  });

  it('--out, --fields, --threshold and --lexicon', () => {
    const dir = mkdtempSync(join(tmpdir(), 'raqib-'));
    const out = join(dir, 'out.jsonl');
    const rec = JSON.stringify({ id: 'x', name: 'Amaq Agency', description: 'donate 0x000000000000000000000000000000000000dEaD' });
    // flags on the lexicon scorer, whose numbers these expectations are written for
    expect(run(['score', '--no-model', '--out', out], rec).stdout).toBe('');
    const base = lines(readFileSync(out, 'utf8'))[0] as { decision: string; fields: object };
    expect(base.decision).toBe('review');
    const onlyDesc = lines(run(['score', '--no-model', '--fields', 'description'], rec).stdout)[0] as { fields: object };
    expect(Object.keys(onlyDesc.fields)).toEqual(['description']);
    const strict = lines(run(['score', '--no-model', '--threshold', 'review=0.95,block=0.99'], rec).stdout)[0] as { decision: string };
    expect(strict.decision).toBe('allow');
    const watch = lines(run(['score', '--no-model', '--lexicon', 'test/fixtures/watchlist.json'], rec).stdout)[0] as { decision: string; categories: { fundraising: boolean } };
    expect(watch.categories.fundraising).toBe(true);
  });

  it('usage errors exit 2 with a message on stderr', () => {
    const r = run(['score', '--threshold', 'lots', 'data/samples/nft-sample.jsonl']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/threshold/);
    expect(run(['frobnicate']).code).toBe(2);
    const lex = run(['score', '--lexicon', 'test/fixtures/bad-lexicon.json'], '{"name":"x"}');
    expect(lex.code).toBe(2);
    expect(lex.stderr).toMatch(/bad-lexicon\.json/);
  });
});

describe('raqib score --ocr', () => {
  it('reads the slogan on a card image under --image-root and scores it as image_ocr', () => {
    const rec = JSON.stringify({ id: 'card', name: 'Edition one', image: 'ar-kufi-dark.png' }) + '\n' + JSON.stringify({ id: 'escape', name: 'x y', image: '../../package.json' });
    const r = run(['score', '--no-model', '--ocr', '--image-root', 'test/fixtures/images'], rec);
    expect(r.code).toBe(0);
    const [card, escape] = lines(r.stdout) as Array<{ fields: Record<string, unknown>; evidence: Array<{ field: string; category: string }>; warnings: Array<{ code: string }>; flagged: boolean }>;
    expect(Object.keys(card.fields)).toContain('image_ocr');
    expect(card.evidence.some((e) => e.field === 'image_ocr' && e.category === 'branding')).toBe(true);
    expect(card.flagged).toBe(true);
    expect(escape.warnings.map((w) => w.code)).toContain('image_path_refused');
  }, 60000);

  it('image flags without --ocr are a usage error', () => {
    expect(run(['score', '--image-root', 'test/fixtures/images'], '{"name":"x"}').code).toBe(2);
  });
});

describe('raqib lang', () => {
  it('answers one JSON line per input line', () => {
    const r = run(['lang'], 'الدولة الإسلامية\nGloire aux martyrs\n0x000000000000000000000000000000000000dEaD\ndawla islamiya baqiya\n');
    expect(r.code).toBe(0);
    const out = lines(r.stdout) as Array<{ lang: string; script: string; text: string }>;
    expect(out.map((o) => `${o.lang}/${o.script}`)).toEqual(['ar/Arab', 'fr/Latn', 'und/Zyyy', 'ar/Latn']);
    expect(out[1].text).toBe('Gloire aux martyrs');
  });
  it('prints version and help', () => {
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(run(['--help']).stdout).toMatch(/raqib score/);
  });
});
