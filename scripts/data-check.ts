/**
 * npm run data:check — the corpus's gate. Validates every record of data/corpus against
 * schema/corpus-record.schema.json, prints counts per split × label × language × category, checks the
 * size and balance the data card promises, finds exact and near-duplicate records across splits
 * (leakage), checks augmented copies, and — when ../shared/datasets/real is present — that no record
 * copies research text. Exits 1 on any failure.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileSchema } from '../src/schema-validate.js';
import { nearDuplicates, normaliseForDup, type Item } from './corpus/near-duplicates.js';
import { readJsonl, recordText, SPLITS, type CorpusRecord } from './corpus/records.js';
import { loadLexicons } from '../src/lexicon/load.js';
import { LexiconMatcher } from '../src/lexicon/matcher.js';
import { normalizeViews } from '../src/normalize/pipeline.js';

const root = process.cwd();
const corpus = join(root, 'data', 'corpus');
const sharedDir = resolve(process.env.RAQIB_SHARED ?? join(root, '..', 'shared', 'datasets', 'real'));
const REQUIRED = ['ar', 'ar-Latn', 'en', 'fr', 'fa', 'ps', 'ur', 'tr', 'id', 'ms', 'ru', 'de', 'es', 'so', 'ha', 'mul'];
const failures: string[] = [];
const fail = (m: string) => failures.push(m);

const load = (f: string) => JSON.parse(readFileSync(join(root, 'schema', f), 'utf8'));
const validate = compileSchema(load('corpus-record.schema.json'), [load('input.schema.json')]);

/** Language bucket of a record: Arabizi is its own bucket (ar written in Latin letters). */
export const bucket = (r: CorpusRecord) => (r.lang === 'ar' && r.script === 'Latn' ? 'ar-Latn' : r.lang);

const splits: Record<string, CorpusRecord[]> = {};
const augmented: Record<string, CorpusRecord[]> = {};
for (const s of SPLITS) {
  const p = join(corpus, `${s}.jsonl`);
  if (!existsSync(p)) {
    fail(`missing ${p}`);
    splits[s] = [];
    continue;
  }
  splits[s] = readJsonl(p);
  const ap = join(corpus, `${s}.augmented.jsonl`);
  augmented[s] = existsSync(ap) ? readJsonl(ap) : [];
}

// 1. schema, ids
const ids = new Map<string, string>();
for (const s of SPLITS) {
  for (const r of [...splits[s], ...augmented[s]]) {
    if (!validate(r)) fail(`${s} ${r.id}: ${JSON.stringify(validate.errors?.slice(0, 2))}`);
    if (ids.has(r.id)) fail(`duplicate id ${r.id} in ${s} and ${ids.get(r.id)}`);
    ids.set(r.id, s);
  }
  const own = new Set(splits[s].map((r) => r.id));
  for (const a of augmented[s]) if (!own.has(String(a.augmented_from))) fail(`${s}.augmented ${a.id}: source ${a.augmented_from} is not in ${s}`);
}

// 2. counts
const all = SPLITS.flatMap((s) => splits[s].map((r) => ({ s, r })));
const total = all.length;
console.log(`records: ${SPLITS.map((s) => `${s} ${splits[s].length}`).join(', ')}; total ${total} before augmentation; augmented copies: ${SPLITS.map((s) => `${s} ${augmented[s].length}`).join(', ')}`);
if (total < 10000) fail(`only ${total} records before augmentation (need ≥ 10,000)`);
const labels = ['propaganda', 'about_extremism', 'benign'];
for (const l of labels) {
  const n = all.filter((x) => x.r.label === l).length;
  const share = n / Math.max(1, total);
  console.log(`label ${l}: ${n} (${(100 * share).toFixed(1)} %)`);
  if (share < 0.25) fail(`label ${l} is ${(100 * share).toFixed(1)} % of the corpus (need ≥ 25 %)`);
}
console.log('\nsplit × language × label');
console.log(['lang'.padEnd(8), ...SPLITS.flatMap((s) => labels.map((l) => `${s}:${l.slice(0, 5)}`.padStart(13)))].join(''));
const langs = [...new Set([...REQUIRED, ...all.map((x) => bucket(x.r))])].sort();
for (const lang of langs) {
  const row = SPLITS.flatMap((s) => labels.map((l) => splits[s].filter((r) => bucket(r) === lang && r.label === l).length));
  console.log([lang.padEnd(8), ...row.map((n) => String(n).padStart(13))].join(''));
  if (REQUIRED.includes(lang)) {
    for (const l of labels) if (!all.some((x) => bucket(x.r) === lang && x.r.label === l)) fail(`${lang}: no ${l} records`);
    const test = splits.test.filter((r) => bucket(r) === lang);
    const prop = test.filter((r) => r.label === 'propaganda').length;
    if (prop < 60 || test.length - prop < 120) fail(`${lang}: test has ${prop} propaganda and ${test.length - prop} other records (need ≥ 60 and ≥ 120)`);
  }
}
console.log('\nlabel × category (all splits)');
for (const l of labels) {
  const cats = new Map<string, number>();
  for (const x of all) if (x.r.label === l) cats.set(x.r.category, (cats.get(x.r.category) ?? 0) + 1);
  console.log(`${l}: ${[...cats.entries()].sort().map(([c, n]) => `${c} ${n}`).join(', ')}`);
}
const ev = new Map<string, number>();
for (const x of all) for (const e of x.r.evasion ?? []) ev.set(e, (ev.get(e) ?? 0) + 1);
console.log(`\nevasion tricks written by hand: ${[...ev.entries()].sort((a, b) => b[1] - a[1]).map(([e, n]) => `${e} ${n}`).join(', ')}`);
// which groups propaganda refers to, as the lexicons recognise them (records naming none: "unnamed")
const matcher = new LexiconMatcher(loadLexicons().files);
const groups = new Map<string, number>();
for (const x of all) {
  if (x.r.label !== 'propaganda') continue;
  const ents = new Set(matcher.match(normalizeViews(recordText(x.r))).filter((m) => m.entry.entity && m.entry.kind !== 'context').map((m) => (m.entry.movement === 'far_right' ? 'far-right groups' : /islamic state|isis|daesh|iswap|iskp|khorasan|wilayat|dawla/i.test(m.entry.entity!) ? 'Islamic State' : 'other jihadist groups')));
  const k = ents.size === 0 ? (x.r.movement === 'far_right' ? 'far-right groups' : 'unnamed') : [...ents].sort().join(' + ');
  groups.set(k, (groups.get(k) ?? 0) + 1);
}
console.log(`propaganda by the groups it names (lexicon entities): ${[...groups.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);

// 3. leakage: exact and near duplicates across splits
const items: Item[] = all.map(({ s, r }) => ({ key: r.id, group: s, text: recordText(r) }));
const exact = new Map<string, Item>();
let exactCross = 0;
for (const it of items) {
  const k = normaliseForDup(it.text);
  const prev = exact.get(k);
  if (prev && prev.group !== it.group) {
    exactCross++;
    fail(`exact duplicate across splits: ${prev.key} (${prev.group}) = ${it.key} (${it.group})`);
  }
  exact.set(k, it);
}
const near = nearDuplicates(items, 0.8);
console.log(`\nduplicates across splits: ${exactCross} exact, ${near.length} near (character 5-gram Jaccard ≥ 0.8)`);
for (const p of near.slice(0, 10)) console.log(`  ${p.similarity.toFixed(2)} ${p.a.key} (${p.a.group}) ~ ${p.b.key} (${p.b.group})`);
for (const p of near) if (p.similarity >= 0.9) fail(`near duplicate across splits (${p.similarity.toFixed(2)}): ${p.a.key} ~ ${p.b.key}`);

// 4. research data must not be copied in
if (!existsSync(sharedDir)) console.log(`\nresearch-data copy check: skipped (no ${sharedDir})`);
else {
  const shingle = (t: string) => {
    const w = normaliseForDup(t).split(' ');
    const out: string[] = [];
    for (let i = 0; i + 8 <= w.length; i++) out.push(w.slice(i, i + 8).join(' '));
    return out;
  };
  const research = new Set<string>();
  const whole = new Set<string>();
  for (const f of readdirSync(sharedDir).filter((f) => f.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(sharedDir, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const t = String(JSON.parse(line).text ?? '');
      if (normaliseForDup(t).length > 30) whole.add(normaliseForDup(t));
      for (const sh of shingle(t)) research.add(sh);
    }
  }
  let copied = 0;
  for (const s of SPLITS)
    for (const r of [...splits[s], ...augmented[s]]) {
      const fields = [recordText(r), ...String(recordText(r)).split('\n')];
      if (fields.some((t) => whole.has(normaliseForDup(t))) || shingle(recordText(r)).some((sh) => research.has(sh))) {
        copied++;
        fail(`${r.id} shares text with ../shared/datasets/real`);
      }
    }
  console.log(`\nresearch-data copy check: ${copied} of ${ids.size} records share an 8-word run or a whole text with ${sharedDir}`);
}

if (failures.length) {
  console.log(`\nFAILED (${failures.length}):`);
  for (const f of failures.slice(0, 40)) console.log(`  - ${f}`);
  process.exit(1);
}
console.log('\ndata:check passed');
