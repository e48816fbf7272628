import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LanguageDetector } from '../src/language/detect.js';
import { arabiziEvidence, isArabizi } from '../src/language/arabizi.js';
import { arabicScriptCues } from '../src/language/arabic-script.js';
import { stripNonLinguistic } from '../src/language/nonlinguistic.js';
import { lightNormalize } from '../src/normalize/pipeline.js';

const cases = readFileSync(new URL('./fixtures/lang-cases.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { text: string; lang: string; script: string });

let detector: LanguageDetector;
beforeAll(async () => {
  detector = await LanguageDetector.create();
});

describe('language detection on hand-written short titles', () => {
  it.each(cases)('$text → $lang/$script', ({ text, lang, script }) => {
    const r = detector.detect(lightNormalize(text).text);
    expect(r.lang).toBe(lang);
    expect(r.script).toBe(script);
    expect(r.confidence).toBeGreaterThan(0);
    expect(r.confidence).toBeLessThanOrEqual(1);
  });

  it('reports the parts of a mixed field with offsets into the text', () => {
    const text = 'Eid Mubarak to everyone! عيد مبارك وكل عام وأنتم بخير';
    const r = detector.detect(text);
    expect(r.lang).toBe('mul');
    const langs = r.parts!.map((p) => p.lang).sort();
    expect(langs).toEqual(['ar', 'en']);
    const ar = r.parts!.find((p) => p.lang === 'ar')!;
    expect(text.slice(ar.start, ar.end)).toBe('عيد مبارك وكل عام وأنتم بخير');
  });

  it('a borrowed word does not make a field mixed', () => {
    expect(detector.detect('Android এর জন্য কি অভ্র আছে').lang).toBe('bn');
  });

  it('gives the same answer whatever was asked before (cache is keyed by text only)', async () => {
    const fresh = await LanguageDetector.create({ cacheSize: 1 });
    for (const c of cases.slice(0, 10)) expect(fresh.detect(lightNormalize(c.text).text)).toEqual(detector.detect(lightNormalize(c.text).text));
  });
});

describe('cues', () => {
  it('Arabizi needs digits-in-words or Arabizi chat words, not Arabic loanwords alone', () => {
    expect(isArabizi(arabiziEvidence('7abibi ana ma3ak'))).toBe(true);
    expect(isArabizi(arabiziEvidence('inshallah yalla habibi'))).toBe(true);
    expect(isArabizi(arabiziEvidence('Allah maha besar, jihad melawan hawa nafsu'))).toBe(false);
    expect(isArabizi(arabiziEvidence('Top 10 NFTs of 2024'))).toBe(false);
  });
  it('counts the letters that tell Pashto and Urdu from Persian and Arabic', () => {
    expect(arabicScriptCues('ښه راغلاست').pashto).toBe(1);
    expect(arabicScriptCues('یہ ہماری کتاب ہے').urdu).toBeGreaterThan(0);
    expect(arabicScriptCues('الدولة الإسلامية').arabic).toBeGreaterThan(0);
  });
  it('strips what has no language', () => {
    expect(stripNonLinguistic('Send 0x000000000000000000000000000000000000dEaD to @someone_01 #NFT https://example.invalid 🔥 2024')).toBe('Send to');
  });
});
