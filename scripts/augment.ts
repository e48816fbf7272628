/**
 * npm run data:augment — deterministic adversarial copies of the corpus (seeded): for each record,
 * with probability 0.5, one copy with one or two evasion tricks suited to its script (tatweel,
 * harakat, letter swaps, undotted letters, Persian letters, zero-width characters, spaced and dotted
 * letters, leetspeak, homoglyphs, Arabizi transliteration, emoji substitution, hashtags), applied to
 * its text fields. Every label is augmented, so that tricks alone do not mean propaganda. Copies stay
 * in their source's split: data/corpus/<split>.augmented.jsonl, ids `<source id>~<tricks>`.
 */
import { join } from 'node:path';
import { mulberry32 } from '../src/random.js';
import { TRICKS, type Rng } from './corpus/evasions.js';
import { readJsonl, SPLITS, TEXT_KEYS, unitHash, writeJsonl, type CorpusRecord } from './corpus/records.js';

const SEED = Number(process.env.RAQIB_AUGMENT_SEED ?? 20261128);
const SHARE = 0.5;
const root = join(process.cwd(), 'data', 'corpus');

export function augmentRecord(r: CorpusRecord, seed: number): CorpusRecord | null {
  const rnd: Rng = mulberry32(Math.floor(unitHash(`${seed}:${r.id}`) * 2 ** 31));
  if (rnd() >= SHARE) return null;
  const script = r.script === 'Arab' || r.script === 'Cyrl' ? r.script : 'Latn';
  const usable = Object.entries(TRICKS).filter(([name, t]) => t.scripts.includes(script) && !(name === 'arabizi' && r.lang !== 'ar'));
  const n = rnd() < 0.7 ? 1 : 2;
  const chosen: string[] = [];
  const copy: CorpusRecord = JSON.parse(JSON.stringify(r));
  for (let k = 0; k < n * 4 && chosen.length < n; k++) {
    const [name, trick] = usable[Math.floor(rnd() * usable.length)];
    if (chosen.includes(name)) continue;
    let applied = false;
    for (const key of TEXT_KEYS) {
      if (typeof copy[key] !== 'string') continue;
      // name and description always; captions and OCR half the time
      if ((key === 'image_caption' || key === 'image_ocr') && rnd() < 0.5) continue;
      const out = trick.apply(copy[key] as string, rnd);
      if (out !== null) {
        copy[key] = out;
        applied = true;
      }
    }
    if (applied) chosen.push(name);
  }
  if (chosen.length === 0) return null;
  if (chosen.includes('arabizi')) copy.script = 'Latn';
  return { ...copy, id: `${r.id}~${chosen.join('+')}`, evasion: [...new Set([...(r.evasion ?? []), ...chosen])], augmented_from: r.id };
}

if (process.argv[1]?.endsWith('augment.js')) {
  for (const split of SPLITS) {
    const src = readJsonl(join(root, `${split}.jsonl`));
    const out = src.map((r) => augmentRecord(r, SEED)).filter((r): r is CorpusRecord => r !== null);
    writeJsonl(join(root, `${split}.augmented.jsonl`), out);
    console.log(`${split}: ${src.length} records → ${out.length} augmented copies`);
  }
}
