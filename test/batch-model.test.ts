import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateRecords } from '../scripts/generate-records.js';
import { scoreCommand } from '../src/cli/batch.js';
import { DEFAULT_MODEL_DIR } from '../src/model/location.js';
import { checkOutput } from './helpers.js';

/**
 * The worker pool with the shipped model loaded (issue 6): every pool thread loads its own copy of
 * the model, and the output is the in-thread output byte for byte — the model's scores depend on the
 * record alone, not on which thread or task scored it. Pool threads run the build in dist/.
 */
const root = new URL('..', import.meta.url).pathname;
const hasModel = existsSync(join(DEFAULT_MODEL_DIR(), 'config.json'));
const dir = mkdtempSync(join(tmpdir(), 'raqib-batch-model-'));

describe.skipIf(!hasModel)('worker pool with the shipped model', () => {
  it('--workers 2 writes what --workers 1 writes: the sample file and generated records, model scores included', async () => {
    const sample = join(root, 'data', 'samples', 'nft-sample.jsonl');
    const generated = join(dir, 'generated.jsonl');
    // 600 records (≈ 250 KB): several tasks per thread, with some propaganda-like phrasing
    writeFileSync(generated, `${generateRecords(600, 3).map((r) => JSON.stringify(r)).join('\n')}\n`);
    const outs: string[] = [];
    for (const w of ['1', '2']) {
      const out = join(dir, `w${w}.jsonl`);
      expect(await scoreCommand([sample, generated, '--workers', w, '--out', out])).toBe(0);
      outs.push(readFileSync(out, 'utf8'));
    }
    expect(outs[1]).toBe(outs[0]);
    const lines = outs[0].trim().split('\n').map((l) => JSON.parse(l));
    const sampleCount = readFileSync(sample, 'utf8').split('\n').filter((l) => l.trim()).length;
    expect(lines).toHaveLength(sampleCount + 600);
    for (const l of lines) expect(checkOutput(l)).toBe('result');
    // the model spoke on every record
    expect(lines.every((l) => l.model?.name && typeof l.label_scores?.propaganda === 'number')).toBe(true);
    expect(lines.some((l) => l.flagged)).toBe(true);
  }, 240_000);
});
