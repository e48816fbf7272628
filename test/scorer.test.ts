import { beforeAll, describe, expect, it } from 'vitest';
import { createScorer, type Scorer } from '../src/scorer.js';
import { isErrorRecord, type OutputRecord, type ScoreResult } from '../src/types.js';
import { checkOutput, readJsonl, validateInput } from './helpers.js';

let scorer: Scorer;
beforeAll(async () => {
  scorer = await createScorer();
});

function result(r: OutputRecord): ScoreResult {
  if (isErrorRecord(r)) throw new Error(`expected a result, got ${JSON.stringify(r)}`);
  checkOutput(r);
  return r;
}

describe('the seed scenario', () => {
  // Both records are synthetic (data/samples/nft-sample.jsonl, sample-001 and sample-002).
  const [card, news] = readJsonl(new URL('../data/samples/nft-sample.jsonl', import.meta.url)) as Array<Record<string, unknown>>;

  it('flags an Arabic card praising fighters for an attack on a Taliban position, with evidence', async () => {
    const r = result(await scorer.score(card));
    expect(r.flagged).toBe(true);
    expect(r.decision).not.toBe('allow');
    expect(r.categories.glorification).toBe(true);
    expect(r.fields.description.lang).toBe('ar');
    const desc = String(card.description);
    const live = r.evidence.filter((e) => !e.suppressed_by && e.field === 'description');
    expect(live.length).toBeGreaterThanOrEqual(3);
    for (const e of live) expect(desc.slice(e.start, e.end)).toBe(e.text);
    expect(live.some((e) => e.category === 'glorification')).toBe(true);
  });

  it('does not flag an Arabic news report about that card, and still lists its matched terms', async () => {
    const r = result(await scorer.score(news));
    expect(r.flagged).toBe(false);
    expect(r.decision).toBe('allow');
    expect(r.context.reporting + r.context.counter_speech).toBeGreaterThan(0.5);
    // the group name and the quoted slogan are evidence a reviewer can see
    expect(r.evidence.some((e) => e.category === 'branding')).toBe(true);
    expect(r.evidence.some((e) => e.category === 'reporting' || e.category === 'counter_speech')).toBe(true);
    expect(r.label_scores.about_extremism).toBeGreaterThan(r.label_scores.propaganda);
  });
});

describe('output contract', () => {
  it('every sample record scores to a schema-valid result, and every sample is a valid input', async () => {
    for (const rec of readJsonl(new URL('../data/samples/nft-sample.jsonl', import.meta.url))) {
      expect(validateInput(rec), JSON.stringify(validateInput.errors)).toBe(true);
      const r = result(await scorer.score(rec));
      expect(r.flagged).toBe(r.decision !== 'allow');
      expect(r.score).toBe(Math.max(...Object.values(r.category_scores)));
      const sum = r.label_scores.propaganda + r.label_scores.about_extremism + r.label_scores.benign;
      expect(sum).toBeCloseTo(1, 3);
      for (const [c, on] of Object.entries(r.categories)) if (on) expect(r.category_scores[c as keyof typeof r.category_scores]).toBeGreaterThanOrEqual(0.5);
    }
  });

  it('takes ids from id, custom_id, or contract:token_id, else source:line', async () => {
    expect(result(await scorer.score({ id: 7, name: 'x y' })).id).toBe('7');
    expect(result(await scorer.score({ custom_id: 'c-1', name: 'x y' })).id).toBe('c-1');
    expect(result(await scorer.score({ contract: '0xabc', token_id: 12, name: 'x y' })).id).toBe('0xabc:12');
    expect(result(await scorer.score({ name: 'x y' }, { source: 'in.jsonl', line: 9 })).id).toBe('in.jsonl:9');
  });

  it('reads every field path of the grammar', async () => {
    const r = result(
      await scorer.score({
        id: 'paths',
        title: 'Title here',
        description: 'Description here',
        attributes: [{ trait_type: 'Flag', value: 'Black standard of the Islamic State' }, { trait_type: 'Level', value: 3 }],
        properties: { artist: 'Someone', nested: { type: 'string', description: 'nested text' } },
        image_data: "<svg><text x='1'>Amaq Agency</text></svg>",
        localization: { ar: { name: 'الدولة الإسلامية', description: 'باقية وتتمدد' } },
        image_caption: 'a black flag',
        ocr_text: 'AMAQ',
        text: 'plain text',
        creator: 'creator-1',
        collection: { name: 'Col', slug: 'col' },
      }),
    );
    expect(Object.keys(r.fields).sort()).toEqual(
      ['attributes[Flag]', 'description', 'image_caption', 'image_data.text', 'image_ocr', 'localization.ar.description', 'localization.ar.name', 'name', 'properties.artist', 'properties.nested', 'text'].sort(),
    );
    expect(r.actors).toEqual({ creator: 'creator-1', collection: 'Col' });
    const svg = r.evidence.find((e) => e.field === 'image_data.text');
    expect(svg?.text.startsWith('Amaq')).toBe(true);
  });

  it('extracts indicators with offsets and flags watch-listed ones', async () => {
    const text = 'Send to 0x000000000000000000000000000000000000dEaD or t.me/example_handle_01, mail x@example.invalid';
    const r = result(await scorer.score({ id: 'ind', description: text }));
    const types = r.indicators.map((i) => i.type).sort();
    expect(types).toEqual(['email', 'telegram', 'wallet']);
    for (const i of r.indicators) expect(text.slice(i.start, i.end)).toBe(i.value);
    // an address alone is no lexicon evidence (the model may still read the request as fundraising)
    expect(result(scorer.scoreLexicon({ id: 'ind', description: text })).flagged).toBe(false);
    const watching = await createScorer({ lexicons: [new URL('./fixtures/watchlist.json', import.meta.url).pathname] });
    const w = result(await watching.score({ id: 'ind', description: text }));
    expect(w.categories.fundraising).toBe(true);
    expect(w.evidence.some((e) => e.rule === 'watchlist.wallet')).toBe(true);
  });

  it('an allow-list silences an entry', async () => {
    const quiet = await createScorer({ lexicons: [new URL('./fixtures/allow.json', import.meta.url).pathname] });
    const rec = { id: 'a', description: 'The Amaq Agency logo' };
    expect(result(await scorer.score(rec)).evidence.some((e) => e.rule === 'en.outlet.amaq')).toBe(true);
    expect(result(await quiet.score(rec)).evidence.some((e) => e.rule === 'en.outlet.amaq')).toBe(false);
  });
});

describe('warnings and errors', () => {
  it('scores repairable problems and lists them as warnings', async () => {
    const long = 'word '.repeat(5000);
    const r = result(await scorer.score({ id: 'w', name: 404, description: long, attributes: 'not-an-array', properties: { x: 'ok' }, text: { a: 1 } }));
    const codes = r.warnings.map((w) => w.code).sort();
    expect(codes).toEqual(['coerced_to_text', 'field_truncated', 'unexpected_type', 'unexpected_type']);
    expect(r.warnings.find((w) => w.code === 'coerced_to_text')?.field).toBe('name');
    expect(r.fields.name).toBeDefined();
  });

  it('replaces lone surrogates and says so', async () => {
    const r = result(await scorer.score({ id: 's', name: 'abc \uD800 def' }));
    expect(r.warnings.map((w) => w.code)).toContain('lone_surrogate');
  });

  it('a record with nothing to score is an error record naming why', async () => {
    for (const [input, code] of [
      [[1, 2], 'not_an_object'],
      ['text', 'not_an_object'],
      [null, 'not_an_object'],
      [{ id: 'e', image: 'ipfs://x' }, 'no_text'],
    ] as const) {
      const r = await scorer.score(input, { line: 3 });
      expect(isErrorRecord(r)).toBe(true);
      expect(checkOutput(r)).toBe('error');
      if (isErrorRecord(r)) {
        expect(r.error.code).toBe(code);
        expect(r.line).toBe(3);
      }
    }
    const e = await scorer.score({ id: 'e', image: 'ipfs://x' });
    expect(isErrorRecord(e) && e.id).toBe('e');
  });

  it('--fields keeps only the selected paths', async () => {
    const only = await createScorer({ fields: ['name', 'attributes[*]'] });
    const r = result(await only.score({ id: 'f', name: 'a b', description: 'c d', attributes: [{ trait_type: 'T', value: 'v w' }] }));
    expect(Object.keys(r.fields).sort()).toEqual(['attributes[T]', 'name']);
  });
});

describe('determinism', () => {
  it('the same record gets the same result whatever it is scored with or after', async () => {
    const records = readJsonl(new URL('../data/samples/nft-sample.jsonl', import.meta.url));
    // each record scored first thing by a scorer of its own is the reference…
    const alone: OutputRecord[] = [];
    for (const r of records.slice(0, 6)) {
      const own = await createScorer();
      alone.push(await own.score(r));
      await own.close();
    }
    // …and the shared scorer (warm caches) must agree on those and on the rest
    for (const r of records.slice(6)) alone.push(await scorer.score(r));
    const fresh = await createScorer();
    const reversed: OutputRecord[] = [];
    for (const r of [...records].reverse()) reversed.unshift(await fresh.score(r));
    const batch: OutputRecord[] = [];
    for await (const r of fresh.scoreMany(records)) batch.push(r);
    await fresh.close();
    expect(reversed).toEqual(alone);
    expect(batch).toEqual(alone);
  });
});

describe('worked examples in schema/examples', () => {
  it('each example validates against its schema', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('../schema/examples/', import.meta.url);
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const doc = JSON.parse(readFileSync(new URL(f, dir), 'utf8'));
      if (f.startsWith('input-')) expect(validateInput(doc), f).toBe(true);
      else expect(checkOutput(doc), f).toBe(f.startsWith('error-') ? 'error' : 'result');
    }
  });
});
