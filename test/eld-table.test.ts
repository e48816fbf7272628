import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eld } from 'eld/small';
import { eldFromJson } from '../src/language/eld-table.js';
import { readJsonl } from './helpers.js';

// `npm test` builds first (pretest), so the table the build wrote is there
const built = fileURLToPath(new URL('../dist/eld/small.json', import.meta.url));

describe('eld table read as JSON', () => {
  it('answers exactly as eld/small on every test-split text field', async () => {
    const fromJson = await eldFromJson(built);
    expect(fromJson).not.toBeNull();
    const texts = (readJsonl(new URL('../data/corpus/test.jsonl', import.meta.url)) as { name?: string; description?: string }[])
      .flatMap((r) => [r.name, r.description])
      .filter((t): t is string => Boolean(t));
    expect(texts.length).toBeGreaterThan(3000);
    for (const t of [...texts, '', '   ', '漢字', 'a']) expect(fromJson!.detect(t).getScores()).toEqual(eld.detect(t).getScores());
  });

  it('is refused when missing or written for another eld version, so eld/small is used instead', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raqib-eld-'));
    expect(await eldFromJson(join(dir, 'absent.json'))).toBeNull();
    const stale = JSON.parse(readFileSync(built, 'utf8'));
    stale.eldVersion = '0.0.0';
    writeFileSync(join(dir, 'stale.json'), JSON.stringify(stale));
    expect(await eldFromJson(join(dir, 'stale.json'))).toBeNull();
    writeFileSync(join(dir, 'torn.json'), '{"eldVersion":');
    expect(await eldFromJson(join(dir, 'torn.json'))).toBeNull();
  });
});
