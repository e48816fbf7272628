/**
 * npm run bench — records/s of the lexicon scoring pipeline (adapter, normalisers, language ID,
 * lexicon matching, scoring, JSON serialisation) on 10,000 generated records (fixed seed), in one
 * process, plus cold start to first result and peak RSS. Target: ≥ 5,000 records/s.
 */
import { createScorer } from '../src/scorer.js';
import { generateRecords } from './generate-records.js';

const n = Number(process.argv[2] ?? 10000);
const t0 = performance.now();
const scorer = await createScorer({ model: false });
const first = scorer.scoreLexicon({ name: 'warm-up', description: 'first record' });
const cold = performance.now() - t0;
JSON.stringify(first);
const records = generateRecords(n, 42);
let bytes = 0;
let flagged = 0;
const t1 = performance.now();
let line = 0;
for (const r of records) {
  const out = scorer.scoreLexicon(r, { source: 'bench', line: ++line });
  bytes += JSON.stringify(out).length;
  if ('flagged' in out && out.flagged) flagged++;
}
const secs = (performance.now() - t1) / 1000;
const rss = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({
  records: n,
  seconds: Number(secs.toFixed(3)),
  records_per_second: Math.round(n / secs),
  cold_start_to_first_result_ms: Math.round(cold),
  peak_rss_mb: Math.round(rss / 1048576),
  flagged,
  output_mb: Number((bytes / 1048576).toFixed(1)),
}, null, 1));
