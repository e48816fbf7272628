import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Aggregator, aggregateFiles } from '../src/batch/aggregate.js';
import { checkOutput } from './helpers.js';

/**
 * `raqib score --ocr` with the batch flags (issue 6): the OCR options travel to every pool thread as
 * plain data, each thread starts its own engine, and the output is the plain command's, byte for byte
 * — the text read from the committed fixture cards, and the same refusals under --image-root (`..`,
 * absolute paths, a symlink out, a missing file). A few images only: every run starts tesseract.
 * Runs the CLI as a user does (bin/raqib.js, built by `npm test`), with a relative --image-root.
 */
const repo = new URL('..', import.meta.url).pathname;
const bin = join(repo, 'bin', 'raqib.js');
const fixtures = join(repo, 'test', 'fixtures', 'images');
const base = mkdtempSync(join(tmpdir(), 'raqib-batch-ocr-'));
const input = join(base, 'cards.jsonl');

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  // cwd = base: `--image-root root` is relative, as users write it, and must mean the same in every thread
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: base, timeout: 150_000 });
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

const OCR = ['--no-model', '--ocr', '--image-root', 'root'];

/**
 * libvips words a failed decode of the truncated PNG either way ("libpng read error" or "unable to
 * write to target") from run to run, even in the plain command (its error buffer is shared by
 * sharp's threads): the warning code is compared, that message's wording is not.
 */
const stable = (text: string) => text.replace(/(cannot decode the \w+ image: )[^"]*/g, '$1…');
let reference: string;

beforeAll(() => {
  mkdirSync(join(base, 'root', 'cards'), { recursive: true });
  mkdirSync(join(base, 'outside'));
  for (const f of ['ar-kufi-dark.png', 'en-serif.png', 'bad-truncated.png']) copyFileSync(join(fixtures, f), join(base, 'root', 'cards', f));
  copyFileSync(join(fixtures, 'en-sans.png'), join(base, 'outside', 'secret.png'));
  symlinkSync(join(base, 'outside', 'secret.png'), join(base, 'root', 'cards', 'link-out.png'));
  const recs = [
    { id: 'kufi', name: 'Edition one', image: 'cards/ar-kufi-dark.png', creator: 'alice' },
    { id: 'climb', name: 'x y', image: '../outside/secret.png', creator: 'bob' },
    { id: 'serif', name: 'Card two', image_url: 'cards/en-serif.png', creator: 'alice' },
    { id: 'absolute', name: 'Card abs', image: join(base, 'outside', 'secret.png'), creator: 'bob' },
    { id: 'symlink', name: 'Card link', image: 'cards/link-out.png', creator: 'bob' },
    { id: 'missing', name: 'Card three', image: 'cards/nope.png', creator: 'carol' },
    { id: 'truncated', name: 'Card four', image: 'cards/bad-truncated.png', creator: 'carol' },
    { id: 'plain', name: 'Golden Fox', description: 'A fox at sunset', creator: 'alice' },
  ];
  writeFileSync(input, `${recs.map((r) => JSON.stringify(r)).join('\n')}\n`);
  // the plain (single-threaded, non-batch) command is the reference
  const r = run(['score', ...OCR, input]);
  expect(r.code, r.stderr).toBe(0);
  reference = r.stdout;
}, 180_000);

describe('raqib score --ocr with the batch flags', () => {
  it('reference: the cards are read, every escape from the image root is refused', () => {
    const out = reference.trim().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(8);
    for (const o of out) expect(checkOutput(o)).toBe('result');
    const by = Object.fromEntries(out.map((o) => [o.id, o]));
    expect(Object.keys(by.kufi.fields)).toContain('image_ocr');
    expect(by.kufi.flagged).toBe(true);
    expect(by.serif.fields.image_ocr).toBeDefined();
    const codes = (id: string) => by[id].warnings.map((w: { code: string }) => w.code);
    for (const id of ['climb', 'absolute', 'symlink']) expect(codes(id), id).toContain('image_path_refused');
    expect(codes('missing')).toContain('image_not_found');
    expect(codes('truncated')).toContain('image_decode_failed');
  });

  it('--workers 2 and --workers 1 give the plain output byte for byte, with a per-actor summary', async () => {
    for (const w of ['2', '1']) {
      const out = join(base, `w${w}.jsonl`);
      const r = run(['score', ...OCR, input, '--workers', w, '--out', out, '--group-by', 'creator']);
      expect(r.code, r.stderr).toBe(0);
      expect(stable(readFileSync(out, 'utf8')), `--workers ${w}`).toBe(stable(reference));
      const summary = readFileSync(join(base, `w${w}.by-creator.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const agg = new Aggregator('creator');
      await aggregateFiles([out], [agg]);
      expect(summary).toEqual(JSON.parse(JSON.stringify(agg.rows())));
      expect(summary.find((s) => s.actor === 'alice')).toMatchObject({ records: 3, flagged: 1 });
    }
  }, 240_000);

  it('--resume with --workers 2 completes a torn output: nothing lost, nothing twice', () => {
    const lines = reference.split('\n');
    const out = join(base, 'resumed.jsonl');
    writeFileSync(out, `${lines.slice(0, 3).join('\n')}\n${lines[3].slice(0, 50)}`);
    const r = run(['score', ...OCR, input, '--workers', '2', '--resume', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming .*: 3 records already there/);
    expect(stable(readFileSync(out, 'utf8'))).toBe(stable(reference));
  }, 180_000);

  it('flag errors are the plain command’s: image flags without --ocr (usage, 2), a bad image root (setup, 2), nothing written', () => {
    const out = join(base, 'never.jsonl');
    const noOcr = run(['score', '--no-model', '--image-root', 'root', input, '--workers', '2', '--out', out]);
    expect(noOcr.code).toBe(2);
    expect(noOcr.stderr).toMatch(/--image-root, --ipfs-gateway and --ocr-workers go with --ocr/);
    const badRoot = run(['score', '--no-model', '--ocr', '--image-root', 'nope', input, '--workers', '2', '--out', out]);
    expect(badRoot.code).toBe(2);
    expect(badRoot.stderr).toMatch(/--image-root nope is not a directory/);
    const badGateway = run(['score', '--no-model', '--ocr', '--ipfs-gateway', 'ftp://x', input, '--resume', '--out', out]);
    expect(badGateway.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
