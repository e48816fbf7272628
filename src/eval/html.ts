import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Cell, EvalReport, Interval, ScorerReport } from './report-types.js';

/**
 * The evaluation report as one self-contained HTML file: Chart.js is inlined (no CDN), the data is
 * embedded as JSON, and a Content-Security-Policy forbids every outside load, so an accidental
 * external reference shows up as a console error (the browser test listens for them).
 */
function chartJsSource(): string {
  const require = createRequire(import.meta.url);
  // the package's exports forbid importing the UMD file by path; read it from beside the entry point
  const file = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
  return readFileSync(file, 'utf8')
    .replace(/\/\/# sourceMappingURL=.*$/gm, '')
    .replace(/<\/script/gi, '<\\/script');
}

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(100 * x).toFixed(1)}`);
const ci = (i: Interval | null) => (i ? `${pct(i.estimate)} <span class="ci">[${pct(i.lo)}–${pct(i.hi)}]</span>` : '–');

function cellTable(cells: Cell[], dim: string): string {
  const rows = cells
    .map((c) => `<tr><td>${esc(c.key)}</td><td>${c.n}</td><td>${c.positives}</td><td>${c.flagged}</td><td>${ci(c.recall)}</td><td>${ci(c.precision)}</td><td>${ci(c.fpr)}</td></tr>`)
    .join('');
  return `<table><caption>by ${esc(dim)}</caption><thead><tr><th>${esc(dim)}</th><th>n</th><th>positives</th><th>flagged</th><th>recall %</th><th>precision %</th><th>false-flag rate %</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function scorerSection(s: ScorerReport, idx: number): string {
  const at = (name: string, t: ScorerReport['review']) =>
    `<tr><td>${name} (${esc(t.threshold)})</td><td>${pct(t.precision)}</td><td>${pct(t.recall)}</td><td>${pct(t.f1)}</td><td>${pct(t.fpr)}</td><td>${t.tp}</td><td>${t.fp}</td><td>${t.tn}</td><td>${t.fn}</td></tr>`;
  const three = `<table><caption>three-way confusion (rows: label, columns: argmax of label_scores); macro-F1 ${pct(s.threeWay.macroF1)}</caption><thead><tr><th></th>${s.threeWay.labels.map((l) => `<th>${esc(l)}</th>`).join('')}</tr></thead><tbody>${s.threeWay.matrix
    .map((row, i) => `<tr><th>${esc(s.threeWay.labels[i])}</th>${row.map((v) => `<td>${v}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
  const errs = (title: string, rows: ScorerReport['errors']['falsePositives']) =>
    `<table class="errors"><caption>${esc(title)}</caption><thead><tr><th>id</th><th>label</th><th>score</th><th>lang</th><th>field</th><th>text</th><th>evidence</th></tr></thead><tbody>${rows
      .map(
        (r) =>
          `<tr><td>${esc(r.id)}</td><td>${esc(r.label)}</td><td>${r.score.toFixed(3)}</td><td>${esc(r.detectedLang)}${r.labelledLang ? ` (${esc(r.labelledLang)})` : ''}</td><td>${esc(r.driver)}</td><td dir="auto">${esc(r.text)}</td><td dir="auto">${r.evidence.map((e) => `${esc(e.text)} <small>${esc(e.category)}</small>`).join('; ')}</td></tr>`,
      )
      .join('')}</tbody></table>`;
  return `<section id="scorer-${idx}"><h2>Scorer: ${esc(s.scorer)}</h2>
<p>${s.n} records, ${s.positives} positive, ${s.unscoreable} unscoreable (counted as allowed). ROC-AUC ${ci(s.rocAuc)} · PR-AUC ${ci(s.prAuc)} · ECE ${s.calibration.ece === null ? '–' : s.calibration.ece.toFixed(3)}</p>
<table><thead><tr><th>decision</th><th>precision %</th><th>recall %</th><th>F1 %</th><th>false-flag rate %</th><th>TP</th><th>FP</th><th>TN</th><th>FN</th></tr></thead><tbody>${at('review or block', s.review)}${at('block', s.block)}</tbody></table>
<p>Recall at a fixed false-flag rate: ${s.recallAtFpr.map((r) => `≤ ${pct(r.maxFpr)} % FPR → ${pct(r.recall)} % (threshold ${r.threshold ?? '–'})`).join(' · ')}.
${s.targetPrecision ? `Lowest threshold reaching ${pct(s.targetPrecision.target)} % precision: ${s.targetPrecision.threshold} (recall ${pct(s.targetPrecision.recall)} %).` : 'No threshold reaches the target precision.'}</p>
${three}
<div class="charts"><div><canvas id="pr-${idx}"></canvas></div><div><canvas id="roc-${idx}"></canvas></div><div><canvas id="cal-${idx}"></canvas></div><div><canvas id="lang-${idx}"></canvas></div></div>
${Object.entries(s.breakdowns).map(([dim, cells]) => cellTable(cells, dim)).join('\n')}
${errs('Top false positives (highest-scoring negatives flagged)', s.errors.falsePositives)}
${errs('Top false negatives (lowest-scoring positives not flagged)', s.errors.falseNegatives)}
${s.errors.unscoreable.length ? errs('Unscoreable records', s.errors.unscoreable) : ''}
</section>`;
}

export function renderHtml(report: EvalReport): string {
  const data = JSON.stringify(
    report.scorers.map((s) => ({
      pr: s.curves.pr,
      roc: s.curves.roc,
      cal: s.calibration.table,
      lang: (s.breakdowns['detected language'] ?? []).map((c) => ({ key: c.key, recall: c.recall?.estimate ?? null, fpr: c.fpr?.estimate ?? null })),
    })),
  ).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(report.title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1c1c1c;max-width:1400px}
table{border-collapse:collapse;margin:1rem 0;font-size:13px}caption{text-align:left;font-weight:600;padding:.3rem 0}
td,th{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top}th{background:#f3f3f3}.ci{color:#777;font-size:11px}
.charts{display:grid;grid-template-columns:repeat(2,minmax(300px,1fr));gap:1rem}.charts div{height:320px}
table.errors td:nth-child(6){max-width:520px}
</style></head><body>
<h1>${esc(report.title)}</h1>
<p>Positive label: <b>${esc(report.positiveLabel)}</b>; every other label counts as negative in the binary view. Command: <code>${esc(report.command)}</code></p>
<table><thead><tr><th>file</th><th>records</th><th>positives</th><th>unreadable</th></tr></thead><tbody>${report.files.map((f) => `<tr><td>${esc(f.file)}</td><td>${f.records}</td><td>${f.positives}</td><td>${f.unreadable}</td></tr>`).join('')}</tbody></table>
${report.scorers.map(scorerSection).join('\n')}
<script>${chartJsSource()}</script>
<script id="report-data" type="application/json">${data}</script>
<script>
(function(){
  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  var all = JSON.parse(document.getElementById('report-data').textContent);
  var line = function(id, title, pts, xl, yl, diag){
    var ds = [{label: title, data: pts, showLine: true, pointRadius: 0, borderColor: '#b3261e', borderWidth: 2}];
    if (diag) ds.push({label: 'chance', data: [{x:0,y:0},{x:1,y:1}], showLine: true, pointRadius: 0, borderColor: '#999', borderDash: [4,4]});
    new Chart(document.getElementById(id), {type: 'scatter', data: {datasets: ds},
      options: {plugins: {title: {display: true, text: title}}, scales: {x: {min: 0, max: 1, title: {display: true, text: xl}}, y: {min: 0, max: 1, title: {display: true, text: yl}}}}});
  };
  all.forEach(function(s, i){
    line('pr-' + i, 'Precision–recall', s.pr, 'recall', 'precision', false);
    line('roc-' + i, 'ROC', s.roc, 'false-positive rate', 'true-positive rate', true);
    var cal = s.cal.filter(function(b){ return b.count > 0; });
    new Chart(document.getElementById('cal-' + i), {type: 'bar', data: {labels: cal.map(function(b){ return b.lo.toFixed(1) + '–' + b.hi.toFixed(1); }),
      datasets: [{label: 'observed positive rate', data: cal.map(function(b){ return b.positiveRate; }), backgroundColor: '#1f5fa8'},
                 {label: 'mean score', data: cal.map(function(b){ return b.meanScore; }), type: 'line', borderColor: '#b3261e', pointRadius: 2}]},
      options: {plugins: {title: {display: true, text: 'Calibration (reliability)'}}, scales: {y: {min: 0, max: 1}}}});
    new Chart(document.getElementById('lang-' + i), {type: 'bar', data: {labels: s.lang.map(function(c){ return c.key; }),
      datasets: [{label: 'recall', data: s.lang.map(function(c){ return c.recall; }), backgroundColor: '#2e7d32'},
                 {label: 'false-flag rate', data: s.lang.map(function(c){ return c.fpr; }), backgroundColor: '#c62828'}]},
      options: {plugins: {title: {display: true, text: 'Per detected language'}}, scales: {y: {min: 0, max: 1}}}});
  });
  document.body.setAttribute('data-charts-ready', String(Object.keys(Chart.instances).length));
})();
</script>
</body></html>
`;
}
