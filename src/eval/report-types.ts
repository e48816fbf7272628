import type { ScoredRow } from './collect.js';
import type { Unreadable } from './dataset.js';

/** A value with a 95 % interval (bootstrap for AUCs, Wilson for proportions); null when undefined. */
export interface Interval {
  estimate: number;
  lo: number;
  hi: number;
}

export interface AtThreshold {
  threshold: string;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  fpr: number | null;
}

export interface Cell {
  key: string;
  n: number;
  positives: number;
  flagged: number;
  /** share of positives flagged */
  recall: Interval | null;
  /** share of flagged that are positives */
  precision: Interval | null;
  /** share of negatives flagged */
  fpr: Interval | null;
}

export interface ScorerReport {
  scorer: string;
  n: number;
  positives: number;
  unscoreable: number;
  review: AtThreshold;
  block: AtThreshold;
  threeWay: { labels: string[]; matrix: number[][]; macroF1: number | null; perClass: Array<{ label: string; precision: number | null; recall: number | null; f1: number | null }> };
  rocAuc: Interval | null;
  prAuc: Interval | null;
  recallAtFpr: Array<{ maxFpr: number; recall: number | null; threshold: number | null; fpr: number | null }>;
  targetPrecision: { target: number; threshold: number; precision: number; recall: number } | null;
  calibration: { ece: number | null; table: Array<{ lo: number; hi: number; count: number; meanScore: number | null; positiveRate: number | null }> };
  curves: { roc: Array<{ x: number; y: number }>; pr: Array<{ x: number; y: number }> };
  breakdowns: Record<string, Cell[]>;
  errors: { falsePositives: ScoredRow[]; falseNegatives: ScoredRow[]; unscoreable: ScoredRow[] };
}

export interface EvalReport {
  title: string;
  files: Array<{ file: string; records: number; positives: number; unreadable: number }>;
  positiveLabel: string;
  scorers: ScorerReport[];
  unreadable: Unreadable[];
  command: string;
}
