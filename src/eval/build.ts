import type { ScoredRow } from './collect.js';
import type { LabelledRecord, Unreadable } from './dataset.js';
import { bootstrapCI, calibration, prAuc, prCurve, recallAtFpr, rocAuc, rocCurve, thresholdForPrecision, threeWayConfusion, wilson, type ScoredItem } from './metrics.js';
import type { AtThreshold, Cell, EvalReport, Interval, ScorerReport } from './report-types.js';
import { sourceCollections } from './source.js';

export const BREAKDOWNS = ['lang', 'category', 'source', 'evasion'] as const;
export type BreakdownDim = (typeof BREAKDOWNS)[number];

export interface BuildOptions {
  breakdowns: BreakdownDim[];
  targetPrecision: number;
  bootstrap: number;
  seed: number;
  topErrors: number;
}

const LABELS = ['propaganda', 'about_extremism', 'benign'] as const;

/** The decision rule's own confusion: flagged (review or block) or blocked, against the label. */
function atDecision(rows: ScoredRow[], name: string, hit: (r: ScoredRow) => boolean): AtThreshold {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (const r of rows) {
    const h = hit(r);
    if (r.y === 1) h ? tp++ : fn++;
    else h ? fp++ : tn++;
  }
  const div = (a: number, b: number) => (b === 0 ? null : a / b);
  const precision = div(tp, tp + fp);
  const recall = div(tp, tp + fn);
  const f1 = precision === null || recall === null || precision + recall === 0 ? (tp + fp + fn === 0 ? null : 0) : (2 * precision * recall) / (precision + recall);
  return { threshold: name, tp, fp, tn, fn, precision, recall, f1, fpr: div(fp, fp + tn) };
}

function toInterval(b: { estimate: number | null; lo: number | null; hi: number | null }): Interval | null {
  return b.estimate === null || b.lo === null || b.hi === null ? null : { estimate: b.estimate, lo: b.lo, hi: b.hi };
}

function cell(key: string, rows: ScoredRow[]): Cell {
  const pos = rows.filter((r) => r.y === 1);
  const neg = rows.filter((r) => r.y === 0);
  const flagged = rows.filter((r) => r.decision !== 'allow');
  const tp = flagged.filter((r) => r.y === 1).length;
  return {
    key,
    n: rows.length,
    positives: pos.length,
    flagged: flagged.length,
    recall: wilson(tp, pos.length),
    precision: wilson(tp, flagged.length),
    fpr: wilson(flagged.length - tp, neg.length),
  };
}

function group(rows: ScoredRow[], keys: (r: ScoredRow) => string[]): Cell[] {
  const m = new Map<string, ScoredRow[]>();
  for (const r of rows) for (const k of keys(r)) m.set(k, [...(m.get(k) ?? []), r]);
  return [...m.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0])).map(([k, rs]) => cell(k, rs));
}

export function buildScorerReport(scorer: string, rows: ScoredRow[], opt: BuildOptions): ScorerReport {
  const scored = rows.filter((r) => !r.error);
  const items: ScoredItem[] = rows.map((r) => ({ y: r.y, score: r.score }));
  const three = threeWayConfusion(
    rows.filter((r) => (LABELS as readonly string[]).includes(r.label)).map((r) => ({ label: r.label as (typeof LABELS)[number], predicted: r.predicted })),
    LABELS,
  );
  const breakdowns: Record<string, Cell[]> = {};
  if (opt.breakdowns.includes('lang')) {
    breakdowns['detected language'] = group(rows, (r) => [r.detectedLang]);
    if (rows.some((r) => r.labelledLang)) breakdowns['labelled language'] = group(rows, (r) => [r.labelledLang ?? '(none)']);
  }
  if (opt.breakdowns.includes('category') && rows.some((r) => r.category)) breakdowns.category = group(rows, (r) => [`${r.label}/${r.category ?? '(none)'}`]);
  if (opt.breakdowns.includes('source')) {
    const collection = sourceCollections(rows.map((r) => r.source));
    breakdowns.source = group(rows, (r) => [collection.get(r.source) ?? r.source]);
  }
  if (opt.breakdowns.includes('evasion')) breakdowns.evasion = group(rows, (r) => (r.evasion.length ? r.evasion : ['(none)']));
  breakdowns['true label'] = group(rows, (r) => [r.label]);
  breakdowns['field that drove the decision'] = group(rows, (r) => [r.driver]);
  const roc = rocCurve(items);
  const pr = prCurve(items);
  const bootOpt = { iterations: opt.bootstrap, seed: opt.seed };
  const byScoreDesc = (a: ScoredRow, b: ScoredRow) => b.score - a.score || a.id.localeCompare(b.id);
  return {
    scorer,
    n: rows.length,
    positives: rows.filter((r) => r.y === 1).length,
    unscoreable: rows.length - scored.length,
    review: atDecision(rows, 'review threshold', (r) => r.decision !== 'allow'),
    block: atDecision(rows, 'block threshold', (r) => r.decision === 'block'),
    threeWay: {
      labels: [...three.labels],
      matrix: three.matrix,
      macroF1: three.macroF1,
      perClass: three.labels.map((l) => ({ label: l, precision: three.perClass[l].precision, recall: three.perClass[l].recall, f1: three.perClass[l].f1 })),
    },
    rocAuc: toInterval(bootstrapCI(items, rocAuc, bootOpt)),
    prAuc: toInterval(bootstrapCI(items, prAuc, bootOpt)),
    recallAtFpr: [0.01, 0.05].map((f) => {
      const r = recallAtFpr(items, f);
      return { maxFpr: f, recall: r?.recall ?? null, threshold: r?.threshold ?? null, fpr: r?.fpr ?? null };
    }),
    targetPrecision: (() => {
      const t = thresholdForPrecision(items, opt.targetPrecision);
      return t ? { target: opt.targetPrecision, ...t } : null;
    })(),
    calibration: calibration(items.map((i) => ({ y: i.y, score: Math.min(1, Math.max(0, i.score)) }))),
    curves: {
      roc: (roc ?? []).map((p) => ({ x: p.fpr, y: p.tpr })),
      pr: (pr ?? []).map((p) => ({ x: p.recall, y: p.precision })),
    },
    breakdowns,
    errors: {
      falsePositives: rows.filter((r) => r.y === 0 && r.decision !== 'allow').sort(byScoreDesc).slice(0, opt.topErrors),
      falseNegatives: rows.filter((r) => r.y === 1 && r.decision === 'allow' && !r.error).sort((a, b) => a.score - b.score || a.id.localeCompare(b.id)).slice(0, opt.topErrors),
      unscoreable: rows.filter((r) => r.error).slice(0, opt.topErrors),
    },
  };
}

export function buildReport(title: string, command: string, positive: string, perFile: Array<{ file: string; records: LabelledRecord[]; unreadable: Unreadable[] }>, scorers: ScorerReport[]): EvalReport {
  return {
    title,
    command,
    positiveLabel: positive,
    files: perFile.map((f) => ({ file: f.file, records: f.records.length, positives: f.records.filter((r) => r.y === 1).length, unreadable: f.unreadable.length })),
    scorers,
    unreadable: perFile.flatMap((f) => f.unreadable),
  };
}
