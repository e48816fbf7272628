/**
 * Fits the fusion of the model(s) and lexicons (src/score/fuse.ts) on the dev split and its evasion copies,
 * and writes <model dir>/fusion.json. Never reads test. Prints dev log-loss of the model alone and
 * of the fusion, so the gain is on record.
 *
 *   node dist/scripts/train/fit-fusion.js [MODEL_DIR]
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createScorer, RaqibScorer } from '../../src/scorer.js';
import { FEATURES, fitLogistic, type FusionParams } from '../../src/score/fuse.js';
import { readJsonl, type CorpusRecord } from '../corpus/records.js';

const dir = process.argv[2] ?? join(process.cwd(), 'models', 'raqib-small');
const scorer = (await createScorer({ model: dir, fusion: false })) as RaqibScorer;
const rows: CorpusRecord[] = [];
for (const f of ['dev.jsonl', 'dev.augmented.jsonl']) {
  const p = join(process.cwd(), 'data', 'corpus', f);
  if (existsSync(p)) rows.push(...readJsonl(p));
}
const feats = await scorer.fusionFeatures(rows);
// every feature the directory provides (the n-gram ones only beside an n-gram model)
const names = FEATURES.filter((n) => feats.some((f) => f && f[n] !== undefined));
const x: number[][] = [];
const y: number[] = [];
feats.forEach((f, i) => {
  if (!f) return;
  x.push(names.map((n) => f[n]!));
  y.push(rows[i].label === 'propaganda' ? 1 : 0);
});
const modelOnly = fitLogistic(x.map((r) => [r[0]]), y);
const fit = fitLogistic(x, y);
const params: FusionParams = {
  version: '1',
  features: [...names],
  weights: fit.weights.map((w) => Math.round(w * 1e6) / 1e6),
  bias: Math.round(fit.bias * 1e6) / 1e6,
  fitted_on: `data/corpus dev + dev.augmented (${x.length} records, ${y.filter((v) => v).length} propaganda); dev log-loss ${fit.logLoss.toFixed(4)} (model alone, recalibrated: ${modelOnly.logLoss.toFixed(4)})`,
};
writeFileSync(join(dir, 'fusion.json'), JSON.stringify(params, null, 2) + '\n');
console.log(JSON.stringify(params, null, 2));
await scorer.close();
