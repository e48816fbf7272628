/**
 * The fusion fit itself (src/score/fuse.ts): rows of dev and its evasion copies, their fusion inputs
 * as a scorer computes them, and the logistic regression over them. fit-fusion.ts writes the result
 * as fusion.json; scripts/model-input-mode.ts fits one for each way of reading a record. Never reads test.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RaqibScorer } from '../../src/scorer.js';
import { FEATURES, fitLogistic, type FusionParams } from '../../src/score/fuse.js';
import { readJsonl, type CorpusRecord } from '../corpus/records.js';

/** data/corpus dev.jsonl and dev.augmented.jsonl (the evasion copies), where present. */
export function devRows(root = process.cwd()): CorpusRecord[] {
  const rows: CorpusRecord[] = [];
  for (const f of ['dev.jsonl', 'dev.augmented.jsonl']) {
    const p = join(root, 'data', 'corpus', f);
    if (existsSync(p)) rows.push(...readJsonl(p));
  }
  return rows;
}

/** Fusion parameters fitted on `rows` with every feature the scorer's model directory provides. */
export async function fitFusion(scorer: RaqibScorer, rows: CorpusRecord[]): Promise<FusionParams> {
  const feats = await scorer.fusionFeatures(rows);
  // the n-gram features only beside an n-gram model
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
  return {
    version: '1',
    features: [...names],
    weights: fit.weights.map((w) => Math.round(w * 1e6) / 1e6),
    bias: Math.round(fit.bias * 1e6) / 1e6,
    fitted_on: `data/corpus dev + dev.augmented (${x.length} records, ${y.filter((v) => v).length} propaganda); dev log-loss ${fit.logLoss.toFixed(4)} (model alone, recalibrated: ${modelOnly.logLoss.toFixed(4)})`,
  };
}
