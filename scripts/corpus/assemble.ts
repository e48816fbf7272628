/**
 * Assembles data/corpus/{train,dev,test}.jsonl from the writers' batches in data/corpus/raw/.
 * raw/traindev/* was written by one group of helper sessions and is split 85/15 into train and dev by
 * a hash of the id; raw/test/* was written by different helper sessions with different prompts and is
 * the test split as it stands. Records keep their ids; `author` records which writer made them.
 * Run per new batch of writing (`npm run data:assemble`); records already in a split stay there, so the
 * raw batches can be deleted once assembled. The test split is frozen once committed: later batches may
 * add records, never edit existing ones (the script refuses).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonl, unitHash, writeJsonl, type CorpusRecord } from './records.js';

const root = join(process.cwd(), 'data', 'corpus');
const DEV_SHARE = 0.15;

function batches(dir: string): CorpusRecord[] {
  const d = join(root, 'raw', dir);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => readJsonl(join(d, f)));
}

function tidy(r: CorpusRecord): CorpusRecord {
  const author = r.id.split('-')[0];
  return { ...r, author, synthetic: true, evasion: Array.isArray(r.evasion) ? r.evasion : [] };
}

const existing = (split: string) => (existsSync(join(root, `${split}.jsonl`)) ? readJsonl(join(root, `${split}.jsonl`)) : []);

const traindev = batches('traindev').map(tidy);
const test = batches('test').map(tidy);
const fresh = { train: [] as CorpusRecord[], dev: [] as CorpusRecord[], test };
for (const r of traindev) (unitHash(`dev:${r.id}`) < DEV_SHARE ? fresh.dev : fresh.train).push(r);

for (const split of ['train', 'dev', 'test'] as const) {
  const merged = new Map(existing(split).map((r) => [r.id, r]));
  for (const r of fresh[split]) {
    const old = merged.get(r.id);
    // train and dev may be revised; the committed test split is frozen
    if (split === 'test' && old && JSON.stringify(old) !== JSON.stringify(r)) throw new Error(`test record ${r.id} changed: the test split is frozen`);
    merged.set(r.id, r);
  }
  const records = [...merged.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  writeJsonl(join(root, `${split}.jsonl`), records);
  console.log(`${split}: ${records.length}`);
}
