/**
 * Fits the fusion of the model(s) and lexicons (src/score/fuse.ts) on the dev split and its evasion copies,
 * and writes <model dir>/fusion.json. Never reads test. Prints dev log-loss of the model alone and
 * of the fusion, so the gain is on record.
 *
 *   node dist/scripts/train/fit-fusion.js [MODEL_DIR]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createScorer, RaqibScorer } from '../../src/scorer.js';
import { devRows, fitFusion } from './fusion-fit.js';

const dir = process.argv[2] ?? join(process.cwd(), 'models', 'raqib-small');
const scorer = (await createScorer({ model: dir, fusion: false })) as RaqibScorer;
const params = await fitFusion(scorer, devRows());
writeFileSync(join(dir, 'fusion.json'), JSON.stringify(params, null, 2) + '\n');
console.log(JSON.stringify(params, null, 2));
await scorer.close();
