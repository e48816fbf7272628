/**
 * Writes the model's training inputs: for each corpus record (and augmented copy) of a split, the
 * exact text the model reads at inference (src/model/input.ts), its three-way label, its propaganda
 * category as a multi-hot vector, and its language. The Python trainer reads only these files, so the
 * normalisation is defined once, in TypeScript.
 *
 *   node dist/scripts/train/export-inputs.js OUT_DIR [--weak FILE]
 *
 * `--weak FILE` also writes OUT_DIR/weak.jsonl: the training half of a weakly labelled public-domain
 * set of tweets (see weak.ts), each read as an NFT description.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { adaptRecord } from '../../src/adapter/record.js';
import { PROPAGANDA_CATEGORIES } from '../../src/lexicon/types.js';
import { modelInput } from '../../src/model/input.js';
import { readJsonl, SPLITS, writeJsonl, type CorpusRecord } from '../corpus/records.js';
import { WEAK_ALLOWED, weakTrains } from './weak.js';

const args = process.argv.slice(2);
const weakAt = args.indexOf('--weak');
const weak = weakAt >= 0 ? args.splice(weakAt, 2)[1] : undefined;
const out = args[0] ?? join(process.cwd(), 'models', '.work');
mkdirSync(out, { recursive: true });
const LABELS = ['propaganda', 'about_extremism', 'benign'];
for (const split of SPLITS) {
  const rows: unknown[] = [];
  for (const file of [`${split}.jsonl`, `${split}.augmented.jsonl`]) {
    const path = join(process.cwd(), 'data', 'corpus', file);
    if (!existsSync(path)) continue;
    for (const r of readJsonl<CorpusRecord>(path)) {
      const a = adaptRecord(r, { source: file, line: 0, maxFieldLength: 10000, maxFields: 500 });
      if (!a.ok) continue;
      rows.push({
        id: r.id,
        text: modelInput(a.record.fields),
        label: LABELS.indexOf(r.label),
        categories: PROPAGANDA_CATEGORIES.map((c) => (r.label === 'propaganda' && r.category === c ? 1 : 0)),
        lang: r.lang === 'ar' && r.script === 'Latn' ? 'ar-Latn' : r.lang,
        augmented: file.includes('augmented'),
      });
    }
  }
  writeJsonl(join(out, `${split}.jsonl`), rows);
  console.log(`${split}: ${rows.length} rows → ${join(out, `${split}.jsonl`)}`);
}

if (weak) {
  if (!WEAK_ALLOWED.test(weak)) throw new Error(`${weak}: only the CC0 Fifth Tribe tweets may train the shipped model`);
  const rows: unknown[] = [];
  let seen = 0;
  for (const r of readJsonl<{ id: string; text: string; label: string }>(weak)) {
    seen++;
    if (r.label !== 'propaganda' || !weakTrains(r.id)) continue;
    const text = modelInput([{ path: 'description', text: r.text }]);
    if (!text) continue;
    const arabic = (r.text.match(/[\u0600-\u06ff]/gu) ?? []).length > r.text.length * 0.3;
    rows.push({ id: r.id, text, label: 0, categories: [0, 0, 0, 0, 0, 0], lang: arabic ? 'weak-ar' : 'weak-en', weak: true });
  }
  writeJsonl(join(out, 'weak.jsonl'), rows);
  console.log(`weak: ${rows.length} of ${seen} rows (the training half) → ${join(out, 'weak.jsonl')}`);
}
