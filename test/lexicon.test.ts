import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createScorer, type Scorer } from '../src/scorer.js';
import { loadLexicons, LexiconError } from '../src/lexicon/load.js';
import { LexiconMatcher } from '../src/lexicon/matcher.js';
import { normalizeViews } from '../src/normalize/pipeline.js';
import { isErrorRecord, type ScoreResult } from '../src/types.js';

/**
 * Lexicon matching in every language, through the whole pipeline (normalisers, language gating,
 * benign-sense suppression): each fixture line names entry ids that must be found as live evidence
 * and ids that must not be (absent, or cancelled by a benign sense).
 */
const dir = new URL('./fixtures/lexicon-cases/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
const cases = files.flatMap((f) =>
  readFileSync(new URL(f, dir), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => ({ file: f, n: i + 1, ...(JSON.parse(l) as { text: string; expect?: string[]; not_expect?: string[]; note?: string }) })),
);

let scorer: Scorer;
let matcher: LexiconMatcher;
beforeAll(async () => {
  scorer = await createScorer({ model: false });
  matcher = new LexiconMatcher(loadLexicons().files);
  for (const e of matcher.entries) if (e.entity) entityOf.set(e.id, e.entity);
});
const entityOf = new Map<string, string>();

function live(r: ScoreResult): Set<string> {
  return new Set(r.evidence.filter((e) => !e.suppressed_by).map((e) => e.rule));
}

describe('shipped lexicons', () => {
  it('load, validate against the schema, and cover the project languages', () => {
    const { files: lex } = loadLexicons();
    const langs = new Set(lex.flatMap((f) => f.languages));
    for (const l of ['ar', 'ar-Latn', 'en', 'fr', 'fa', 'ur', 'ps', 'tr', 'id', 'ms', 'ru', 'de', 'es', 'so', 'ha']) expect(langs, l).toContain(l);
    for (const f of lex) for (const e of f.entries) expect(e.gloss_en.length, e.id).toBeGreaterThan(1);
  });

  it('benign-sense entries only cancel ids that exist', () => {
    const { files: lex } = loadLexicons();
    const ids = new Set(lex.flatMap((f) => f.entries.map((e) => e.id)));
    for (const f of lex) for (const e of f.entries) for (const s of e.suppresses ?? []) expect(ids, `${e.id} suppresses ${s}`).toContain(s);
  });

  it('rejects a lexicon that breaks the schema, naming the file', () => {
    expect(() => loadLexicons([new URL('./fixtures/bad-lexicon.json', import.meta.url).pathname], false)).toThrow(LexiconError);
    expect(() => loadLexicons([new URL('./fixtures/bad-lexicon.json', import.meta.url).pathname], false)).toThrow(/bad-lexicon\.json/);
  });
});

describe('lexicon cases per language', () => {
  it.each(cases)('$file:$n $text', ({ text, expect: want = [], not_expect: notWant = [] }) => {
    const r = scorer.scoreLexicon({ text });
    if (isErrorRecord(r)) throw new Error(r.error.message);
    const got = live(r);
    // a term inside a longer live match (kill the crusaders ⊃ crusaders) counts once, as the longer one
    const inner = matcher.match(normalizeViews(text), true).filter((m) => r.evidence.some((e) => !e.suppressed_by && e.start <= m.start && e.end >= m.end && e.end - e.start > m.end - m.start));
    // the same entity from another language file stands for it (one vote per entity and span)
    const entities = new Set(r.evidence.filter((e) => !e.suppressed_by && e.entity).map((e) => e.entity));
    const found = new Set([...got, ...inner.map((m) => m.entry.id)]);
    const raw = matcher.match(normalizeViews(text), true);
    const liveEv = r.evidence.filter((e) => !e.suppressed_by);
    for (const id of want) {
      const entity = entityOf.get(id);
      // or its twin from another language file on the same span and category (id/ms share words)
      const twin = raw.some((m) => m.entry.id === id && liveEv.some((e) => e.category === m.entry.category && e.start < m.end && m.start < e.end));
      expect(found.has(id) || twin || (entity !== undefined && entities.has(entity)), `expected ${id}; got ${[...got].join(', ')}`).toBe(true);
    }
    for (const id of notWant) expect(got, `did not expect ${id}`).not.toContain(id);
    // offsets point at the original text
    for (const e of r.evidence) expect(text.slice(e.start, e.end)).toBe(e.text);
  });
});
