/**
 * npm run data:baseline — the lexicon scorer over the corpus: per language, how many propaganda
 * records it flags (recall) and how many about_extremism / benign records it wrongly flags. These are
 * the numbers the model must beat. Usage: node dist/scripts/corpus/lexicon-baseline.js [split…]
 */
import { join } from 'node:path';
import { createScorer } from '../../src/scorer.js';
import { isErrorRecord } from '../../src/types.js';
import { readJsonl, type CorpusRecord } from './records.js';

const splits = process.argv.slice(2).length ? process.argv.slice(2) : ['test'];
const scorer = await createScorer({ model: false });
const bucket = (r: CorpusRecord) => (r.lang === 'ar' && r.script === 'Latn' ? 'ar-Latn' : r.lang);
for (const split of splits) {
  const records = readJsonl(join(process.cwd(), 'data', 'corpus', `${split}.jsonl`));
  const rows = new Map<string, { prop: number; caught: number; about: number; aboutFlag: number; benign: number; benignFlag: number }>();
  const add = (k: string) => rows.get(k) ?? rows.set(k, { prop: 0, caught: 0, about: 0, aboutFlag: 0, benign: 0, benignFlag: 0 }).get(k)!;
  for (const r of records) {
    const out = scorer.scoreLexicon(r);
    const flagged = !isErrorRecord(out) && out.flagged;
    for (const row of [add(bucket(r)), add('ALL')]) {
      if (r.label === 'propaganda') {
        row.prop++;
        if (flagged) row.caught++;
      } else if (r.label === 'about_extremism') {
        row.about++;
        if (flagged) row.aboutFlag++;
      } else {
        row.benign++;
        if (flagged) row.benignFlag++;
      }
    }
  }
  const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : '–');
  console.log(`\n## lexicon scorer on data/corpus/${split}.jsonl (${records.length} records; flagged = decision review or block)\n`);
  console.log('| lang | propaganda caught | about_extremism flagged | benign flagged |');
  console.log('|---|---:|---:|---:|');
  for (const [k, v] of [...rows.entries()].sort((a, b) => (a[0] === 'ALL' ? 1 : b[0] === 'ALL' ? -1 : a[0].localeCompare(b[0])))) {
    console.log(`| ${k} | ${v.caught}/${v.prop} (${pct(v.caught, v.prop)}) | ${v.aboutFlag}/${v.about} (${pct(v.aboutFlag, v.about)}) | ${v.benignFlag}/${v.benign} (${pct(v.benignFlag, v.benign)}) |`);
  }
}
