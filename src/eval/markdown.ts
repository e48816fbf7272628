import type { Cell, EvalReport, Interval, ScorerReport } from './report-types.js';

/** The same numbers as the HTML and JSON reports, as Markdown for EVALUATION.md and issue notes. */
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : (100 * x).toFixed(1));
const ci = (i: Interval | null) => (i ? `${pct(i.estimate)} [${pct(i.lo)}–${pct(i.hi)}]` : '–');
const md = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function cells(dim: string, cs: Cell[]): string {
  return [`**by ${dim}** (95 % Wilson intervals)`, '', `| ${dim} | n | positives | flagged | recall % | precision % | false-flag rate % |`, '|---|---:|---:|---:|---:|---:|---:|', ...cs.map((c) => `| ${md(c.key)} | ${c.n} | ${c.positives} | ${c.flagged} | ${ci(c.recall)} | ${ci(c.precision)} | ${ci(c.fpr)} |`)].join('\n');
}

/**
 * `quoteText: false` leaves record text out of the error tables (ids, scores and the lexicon terms that
 * matched stay): for reports that are committed about research data that must not be redistributed.
 */
export function scorerMarkdown(s: ScorerReport, opts: { errors?: boolean; quoteText?: boolean } = {}): string {
  const out: string[] = [];
  out.push(`### scorer: ${s.scorer}`, '');
  out.push(`${s.n} records, ${s.positives} positive, ${s.unscoreable} unscoreable. ROC-AUC ${ci(s.rocAuc)}, PR-AUC ${ci(s.prAuc)} (bootstrap 95 %), ECE ${s.calibration.ece === null ? '–' : s.calibration.ece.toFixed(3)}.`, '');
  out.push('| decision | precision % | recall % | F1 % | false-flag rate % | TP | FP | TN | FN |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, t] of [['review or block', s.review], ['block', s.block]] as const) out.push(`| ${name} | ${pct(t.precision)} | ${pct(t.recall)} | ${pct(t.f1)} | ${pct(t.fpr)} | ${t.tp} | ${t.fp} | ${t.tn} | ${t.fn} |`);
  out.push('', `Recall at ≤ 1 % FPR: ${pct(s.recallAtFpr[0]?.recall)} %; at ≤ 5 % FPR: ${pct(s.recallAtFpr[1]?.recall)} %. ${s.targetPrecision ? `Lowest threshold with precision ≥ ${pct(s.targetPrecision.target)} %: ${s.targetPrecision.threshold.toFixed(3)} (recall ${pct(s.targetPrecision.recall)} %).` : 'No threshold reaches the target precision.'}`, '');
  out.push(`Three-way (argmax of label_scores), macro-F1 ${pct(s.threeWay.macroF1)} %:`, '', `| label \\ predicted | ${s.threeWay.labels.join(' | ')} |`, `|---|${s.threeWay.labels.map(() => '---:').join('|')}|`);
  s.threeWay.matrix.forEach((row, i) => out.push(`| ${s.threeWay.labels[i]} | ${row.join(' | ')} |`));
  out.push('', 'Calibration (reliability):', '', '| score bin | n | mean score | positive rate |', '|---|---:|---:|---:|');
  for (const b of s.calibration.table) if (b.count) out.push(`| ${b.lo.toFixed(1)}–${b.hi.toFixed(1)} | ${b.count} | ${b.meanScore?.toFixed(3)} | ${b.positiveRate?.toFixed(3)} |`);
  for (const [dim, cs] of Object.entries(s.breakdowns)) out.push('', cells(dim, cs));
  if (opts.errors !== false) {
    const quote = opts.quoteText !== false;
    const table = (title: string, rows: ScorerReport['errors']['falsePositives']) => [`**${title}**`, '', '| id | label | score | lang | field | text | evidence |', '|---|---|---:|---|---|---|---|', ...rows.map((r) => `| ${md(r.id)} | ${r.label} | ${r.score.toFixed(3)} | ${r.detectedLang}${r.labelledLang ? ` (${r.labelledLang})` : ''} | ${r.driver} | ${quote ? md(r.text.slice(0, 120)) : '(not quoted)'} | ${md(r.evidence.map((e) => `${quote ? e.text : e.match} (${e.category})`).join('; '))} |`)].join('\n');
    out.push('', table('Top false positives', s.errors.falsePositives.slice(0, 10)), '', table('Top false negatives', s.errors.falseNegatives.slice(0, 10)));
  }
  return out.join('\n');
}

export function renderMarkdown(r: EvalReport): string {
  const out = [`# ${r.title}`, '', `Command: \`${r.command}\`. Positive label: \`${r.positiveLabel}\`.`, '', '| file | records | positives | unreadable |', '|---|---:|---:|---:|'];
  for (const f of r.files) out.push(`| ${md(f.file)} | ${f.records} | ${f.positives} | ${f.unreadable} |`);
  for (const s of r.scorers) out.push('', scorerMarkdown(s));
  if (r.unreadable.length) out.push('', `Unreadable records (${r.unreadable.length}): ${r.unreadable.slice(0, 20).map((u) => `${u.file}:${u.line} ${u.code}`).join(', ')}`);
  return out.join('\n') + '\n';
}
