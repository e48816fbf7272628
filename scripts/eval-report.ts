/**
 * npm run eval — regenerates EVALUATION.md: every scorer raqib ships, on the corpus test split, on its
 * augmented (evasion) copies, and on each file of ../shared/datasets/real when present. The figures
 * we quote come from this file; the command is written next to them.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { evaluate, type ScorerName } from '../src/eval/run.js';
import { DEFAULT_MODEL_DIR } from '../src/model/location.js';
import { scorerMarkdown } from '../src/eval/markdown.js';
import type { EvalReport } from '../src/eval/report-types.js';
import { WEAK_ALLOWED, weakTrains } from './train/weak.js';

const root = process.cwd();
const shared = resolve(process.env.RAQIB_SHARED ?? join(root, '..', 'shared', 'datasets', 'real'));
// the model and fused scorers join when a model is shipped (models/raqib-small), ngram when it ships one
const shipped = existsSync(join(DEFAULT_MODEL_DIR(), 'config.json'));
const scorers: ScorerName[] = shipped ? ['lexicon', 'model', ...(existsSync(join(DEFAULT_MODEL_DIR(), 'ngram.json')) ? (['ngram'] as const) : []), 'fused'] : ['lexicon'];
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(100 * x).toFixed(1)} %`);

const sets: Array<{ title: string; files: string[]; note: string; research?: boolean }> = [
  { title: 'Corpus test split', files: ['data/corpus/test.jsonl'], note: 'synthetic, written by other sessions than train/dev (data/README.md)' },
  { title: 'Corpus test split, evasion copies', files: ['data/corpus/test.augmented.jsonl'], note: 'the test records with one or two evasion tricks applied (scripts/augment.ts)' },
];
if (existsSync(shared)) {
  for (const f of readdirSync(shared).filter((f) => f.endsWith('.jsonl')).sort()) {
    const note = 'real research data (../shared/datasets/README.md), read at run time, never committed (its texts are not quoted here: ids only)';
    if (!WEAK_ALLOWED.test(f)) {
      sets.push({ title: `Real: ${f}`, files: [join(shared, f)], note, research: true });
      continue;
    }
    // the shipped model trains on one half of these weakly labelled tweets: measure on the other half
    const held = readFileSync(join(shared, f), 'utf8').split('\n').filter((l) => l.trim() && !weakTrains((JSON.parse(l) as { id: string }).id));
    const file = join(mkdtempSync(join(tmpdir(), 'raqib-eval-')), f);
    writeFileSync(file, `${held.join('\n')}\n`);
    sets.push({ title: `Real: ${f}, held-out half`, files: [file], note: `${note}; only the half the model never trains on (scripts/train/weak.ts), written to a temporary file`, research: true });
  }
}

const sections: string[] = [];
const summary: string[] = ['| data set | scorer | records | positives | precision | recall | F1 | false-flag rate | ROC-AUC | PR-AUC |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|'];
for (const set of sets) {
  const t0 = Date.now();
  const report: EvalReport = await evaluate({ files: set.files, scorers, bootstrap: 300, topErrors: 10, title: set.title, command: `raqib eval ${set.files.map((f) => f.replace(root + '/', '').replace(shared, '../shared/datasets/real').replace(/^.*raqib-eval-[^/]+\//, '<held-out half of ../shared/datasets/real>/')).join(' ')} --scorer ${scorers.join(',')}` });
  for (const s of report.scorers) {
    summary.push(`| ${set.title} | ${s.scorer} | ${s.n} | ${s.positives} | ${pct(s.review.precision)} | ${pct(s.review.recall)} | ${pct(s.review.f1)} | ${pct(s.review.fpr)} | ${s.rocAuc ? s.rocAuc.estimate.toFixed(3) : '–'} | ${s.prAuc ? s.prAuc.estimate.toFixed(3) : '–'} |`);
  }
  sections.push(`## ${set.title}\n\n${set.note}. Command: \`${report.command}\`${report.unreadable.length ? `; ${report.unreadable.length} unreadable records` : ''}.\n\n${report.scorers.map((s) => scorerMarkdown(s, { quoteText: !set.research })).join('\n\n')}`);
  console.error(`${set.title}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

const doc = `# raqib evaluation

Regenerate with \`npm run eval\` (writes this file; the real-data sections need \`../shared/datasets/real\`).
"Flagged" means decision review or block at the shipped thresholds (\`data/config/default.json\`);
positives are \`propaganda\`, every other label is negative. Intervals are 95 % (bootstrap for AUCs,
Wilson for proportions), so small cells read as small. Scorers measured: ${scorers.join(', ')}
(lexicon: keyword evidence alone; model: the transformer's calibrated probability alone; ngram: the
character n-gram model's probability alone; fused: the models and the lexicon evidence combined by the
logistic fusion fitted on dev, which is what \`raqib score\` uses by default).

## Summary

${summary.join('\n')}

${sections.join('\n\n')}
`;
writeFileSync(join(root, 'EVALUATION.md'), doc);
console.error('wrote EVALUATION.md');
