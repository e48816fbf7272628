/**
 * Pure evaluation metrics for `raqib eval`.
 *
 * Everything here is a plain function of its arguments: no I/O, no global state, no randomness except
 * through an explicitly seeded PRNG, so an evaluation report is reproducible byte for byte.
 *
 * Conventions used throughout:
 * - A binary item is `{ y, score }` with `y = 1` for propaganda and `score` in [0, 1].
 * - A decision at threshold `t` flags an item when `score >= t` (the same inclusive rule the scorer's
 *   review/block thresholds use), so a threshold equal to an item's score flags that item.
 * - When a metric is undefined (a zero denominator, a missing class, no data) the function returns
 *   `null` rather than inventing a value such as 0 or 1: an invented value reads like a measurement in a
 *   report, whereas `null` lets the caller print "–" and makes the gap visible.
 */
import type { Label } from '../types.js';

/** One scored item with its gold binary label (1 = propaganda). */
import { mulberry32 } from '../random.js';

export interface ScoredItem {
  y: 0 | 1;
  score: number;
}

// ---------------------------------------------------------------------------------------------------
// Input checking
// ---------------------------------------------------------------------------------------------------

/**
 * Rejects labels other than 0/1 and non-finite scores. A NaN score would silently corrupt every
 * sort-based metric (NaN compares false both ways), so failing loudly is kinder than a wrong AUC.
 */
function checkItems(items: readonly ScoredItem[]): void {
  for (const it of items) {
    if (it.y !== 0 && it.y !== 1) throw new RangeError(`label must be 0 or 1, got ${String(it.y)}`);
    if (!Number.isFinite(it.score)) throw new RangeError(`score must be a finite number, got ${String(it.score)}`);
  }
}

function ratio(num: number, den: number): number | null {
  return den === 0 ? null : num / den;
}

// ---------------------------------------------------------------------------------------------------
// 1. Binary confusion matrix at one threshold
// ---------------------------------------------------------------------------------------------------

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Counts of the four outcomes when every item with `score >= threshold` is flagged. */
export function confusion(items: readonly ScoredItem[], threshold: number): Confusion {
  checkItems(items);
  if (Number.isNaN(threshold)) throw new RangeError('threshold must not be NaN');
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (const { y, score } of items) {
    const flagged = score >= threshold;
    if (y === 1) flagged ? c.tp++ : c.fn++;
    else flagged ? c.fp++ : c.tn++;
  }
  return c;
}

/**
 * tp / (tp + fp). With no predicted positives this is 0/0: we return `null`, not the 1 some libraries
 * use, because "flagged nothing" is not evidence of perfect precision and callers should print "–".
 */
export function precision(c: Confusion): number | null {
  return ratio(c.tp, c.tp + c.fp);
}

/** tp / (tp + fn); `null` when the data hold no positives (recall of nothing is undefined). */
export function recall(c: Confusion): number | null {
  return ratio(c.tp, c.tp + c.fn);
}

/**
 * F1 = 2tp / (2tp + fp + fn), the harmonic mean of precision and recall written so that it stays
 * defined when only one of them is (e.g. no predicted positives but some true positives → F1 = 0,
 * which is right: every positive was missed). `null` only when tp = fp = fn = 0, i.e. there was nothing
 * to find and nothing was flagged.
 */
export function f1(c: Confusion): number | null {
  return ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn);
}

/** False-positive rate fp / (fp + tn); `null` when the data hold no negatives. */
export function fpr(c: Confusion): number | null {
  return ratio(c.fp, c.fp + c.tn);
}

// ---------------------------------------------------------------------------------------------------
// 2. Multi-class (three-way) confusion
// ---------------------------------------------------------------------------------------------------

export const DEFAULT_LABELS: readonly Label[] = ['propaganda', 'about_extremism', 'benign'];

export interface ClassMetrics {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** number of items whose true label is this class */
  support: number;
}

export interface MultiConfusion<L extends string> {
  labels: readonly L[];
  /** matrix[i][j] = items whose true label is labels[i] and predicted label is labels[j] */
  matrix: number[][];
  perClass: Record<L, ClassMetrics>;
  /**
   * Unweighted mean of the per-class F1 values that are defined. A class that is neither present nor
   * predicted has no F1 and is left out rather than counted as 0 or 1, which would move the mean for
   * reasons unrelated to the classifier. `null` when no class has an F1 (empty input).
   */
  macroF1: number | null;
  /** share of items on the diagonal; `null` for empty input */
  accuracy: number | null;
  n: number;
}

/**
 * Confusion matrix over named classes (rows = truth, columns = prediction) with per-class
 * one-vs-rest precision/recall/F1. Labels outside `labels` throw: silently dropping them would make
 * the matrix disagree with the item count.
 */
export function threeWayConfusion(items: readonly { label: Label; predicted: Label }[]): MultiConfusion<Label>;
export function threeWayConfusion<L extends string>(
  items: readonly { label: L; predicted: L }[],
  labels: readonly L[],
): MultiConfusion<L>;
// Overloads rather than a defaulted generic: with a default label list, L must be the full Label
// union, not the narrower union inferred from the items (or `perClass.benign` would not type-check).
export function threeWayConfusion<L extends string>(
  items: readonly { label: L; predicted: L }[],
  labels: readonly L[] = DEFAULT_LABELS as readonly string[] as readonly L[],
): MultiConfusion<L> {
  const index = new Map<string, number>();
  labels.forEach((l, i) => {
    if (index.has(l)) throw new RangeError(`duplicate label ${l}`);
    index.set(l, i);
  });
  const k = labels.length;
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const it of items) {
    const i = index.get(it.label);
    const j = index.get(it.predicted);
    if (i === undefined) throw new RangeError(`unknown true label ${String(it.label)}`);
    if (j === undefined) throw new RangeError(`unknown predicted label ${String(it.predicted)}`);
    matrix[i]![j]!++;
  }
  const perClass = {} as Record<L, ClassMetrics>;
  const f1s: number[] = [];
  let diagonal = 0;
  labels.forEach((l, i) => {
    const tp = matrix[i]![i]!;
    diagonal += tp;
    const support = matrix[i]!.reduce((a, b) => a + b, 0);
    const predicted = matrix.reduce((a, row) => a + row[i]!, 0);
    const c: Confusion = { tp, fp: predicted - tp, fn: support - tp, tn: items.length - support - predicted + tp };
    const m: ClassMetrics = { precision: precision(c), recall: recall(c), f1: f1(c), support };
    if (m.f1 !== null) f1s.push(m.f1);
    perClass[l] = m;
  });
  return {
    labels,
    matrix,
    perClass,
    macroF1: f1s.length === 0 ? null : f1s.reduce((a, b) => a + b, 0) / f1s.length,
    accuracy: ratio(diagonal, items.length),
    n: items.length,
  };
}

// ---------------------------------------------------------------------------------------------------
// Threshold sweep shared by AUCs, curves and operating-point searches
// ---------------------------------------------------------------------------------------------------

interface SweepStep {
  /** a distinct score; the step flags every item with score >= threshold */
  threshold: number;
  /** cumulative true / false positives at this threshold */
  tp: number;
  fp: number;
}

/**
 * One step per DISTINCT score, highest first, with cumulative counts. Tied items enter together in
 * one step: no threshold can separate them, so any metric that orders them one by one would depend on
 * the (arbitrary) input order. This grouping is what makes the AUCs below exact under ties.
 */
function sweep(items: readonly ScoredItem[]): { pos: number; neg: number; steps: SweepStep[] } {
  checkItems(items);
  const sorted = [...items].sort((a, b) => b.score - a.score);
  const steps: SweepStep[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < sorted.length; ) {
    const s = sorted[i]!.score;
    while (i < sorted.length && sorted[i]!.score === s) {
      if (sorted[i]!.y === 1) tp++;
      else fp++;
      i++;
    }
    steps.push({ threshold: s, tp, fp });
  }
  return { pos: tp, neg: fp, steps };
}

// ---------------------------------------------------------------------------------------------------
// 3. ROC AUC and average precision
// ---------------------------------------------------------------------------------------------------

/**
 * Area under the ROC curve = P(score of a random positive > score of a random negative), with a tie
 * counting 1/2 (the Mann–Whitney U statistic divided by pos·neg). Computed as the trapezoidal area of
 * the tie-grouped ROC curve in integer counts — a diagonal segment through a tied group is exactly the
 * "1/2 per tied pair" rule — and divided once at the end, so the result is exact up to one rounding.
 * `null` when either class is absent: the probability above has no pairs to be about.
 */
export function rocAuc(items: readonly ScoredItem[]): number | null {
  const { pos, neg, steps } = sweep(items);
  if (pos === 0 || neg === 0) return null;
  let twiceArea = 0; // in units of (count × count); trapezoid = dFP · (tpPrev + tp) / 2
  let prevTp = 0;
  let prevFp = 0;
  for (const { tp, fp } of steps) {
    twiceArea += (fp - prevFp) * (tp + prevTp);
    prevTp = tp;
    prevFp = fp;
  }
  return twiceArea / (2 * pos * neg);
}

/**
 * Average precision, scikit-learn's definition: AP = Σ_k (R_k − R_{k−1}) · P_k over thresholds at the
 * distinct scores, highest first — a step-wise (not interpolated, not trapezoidal) area, because linear
 * interpolation in PR space is optimistic. Tied scores form one step, so the precision credited to a
 * tied group is that of the whole group, independent of input order.
 * `null` when either class is absent: with no positives recall is undefined, and with no negatives AP
 * is trivially 1 and says nothing about ranking.
 */
export function prAuc(items: readonly ScoredItem[]): number | null {
  const { pos, neg, steps } = sweep(items);
  if (pos === 0 || neg === 0) return null;
  let ap = 0;
  let prevTp = 0;
  for (const { tp, fp } of steps) {
    if (tp !== prevTp) ap += ((tp - prevTp) / pos) * (tp / (tp + fp));
    prevTp = tp;
  }
  return ap;
}

// ---------------------------------------------------------------------------------------------------
// 4. Curves for charts
// ---------------------------------------------------------------------------------------------------

export interface RocPoint {
  /** flag when score >= threshold; `Infinity` for the "flag nothing" start (JSON.stringify → null) */
  threshold: number;
  fpr: number;
  tpr: number;
}

export interface PrPoint {
  /** flag when score >= threshold; `Infinity` for the conventional (recall 0, precision 1) start */
  threshold: number;
  recall: number;
  precision: number;
}

/**
 * ROC points: (0, 0) at threshold +∞, then one point per distinct score, highest first; the last
 * point (lowest score) is always (1, 1). Tied items move the curve diagonally in one step. `null` when
 * a class is absent, matching `rocAuc`.
 */
export function rocCurve(items: readonly ScoredItem[]): RocPoint[] | null {
  const { pos, neg, steps } = sweep(items);
  if (pos === 0 || neg === 0) return null;
  return [
    { threshold: Infinity, fpr: 0, tpr: 0 },
    ...steps.map(({ threshold, tp, fp }) => ({ threshold, fpr: fp / neg, tpr: tp / pos })),
  ];
}

/**
 * PR points: the start (recall 0, precision 1) at threshold +∞ as scikit-learn adds it, then one point
 * per distinct score, highest first; the last point has recall 1 and precision = prevalence.
 * `Σ (recall_k − recall_{k−1}) · precision_k` over these points (skipping the start) equals `prAuc`.
 * `null` when a class is absent, matching `prAuc`.
 */
export function prCurve(items: readonly ScoredItem[]): PrPoint[] | null {
  const { pos, neg, steps } = sweep(items);
  if (pos === 0 || neg === 0) return null;
  return [
    { threshold: Infinity, recall: 0, precision: 1 },
    ...steps.map(({ threshold, tp, fp }) => ({ threshold, recall: tp / pos, precision: tp / (tp + fp) })),
  ];
}

// ---------------------------------------------------------------------------------------------------
// 5. Bootstrap confidence intervals
// ---------------------------------------------------------------------------------------------------

// the seeded PRNG behind bootstrapCI, re-exported for callers that resample the same way
export { mulberry32 };

/**
 * The q-quantile of an ascending-sorted array with linear interpolation between order statistics
 * (Hyndman–Fan type 7, the default of numpy and R), so CIs match what a reviewer gets in either.
 * `null` for an empty array.
 */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export interface BootstrapOptions {
  /** number of resamples; default 1000 */
  iterations?: number;
  /** PRNG seed; default 1, so omitting it is still deterministic */
  seed?: number;
  /** 1 − confidence level; default 0.05 for a 95% interval */
  alpha?: number;
}

export interface BootstrapResult {
  /** the statistic on the full data */
  estimate: number | null;
  /** percentile bounds; `null` when no resample gave a value */
  lo: number | null;
  hi: number | null;
  /** resamples that produced a non-null statistic (the rest were skipped) */
  resamples: number;
}

/**
 * Percentile bootstrap CI for any statistic of labelled items.
 *
 * Stratified by class: each resample draws exactly as many positives (with replacement, from the
 * positives) and negatives (from the negatives) as the data have. Plain resampling of a small, skewed
 * set regularly produces resamples with no positives, on which AUC/AP are undefined; dropping those
 * would bias the interval towards easy resamples, and stratifying also keeps prevalence — which AP and
 * precision depend on — fixed at the observed value. Resamples where the statistic is still `null` are
 * skipped and counted out of `resamples`.
 */
export function bootstrapCI<T extends { y: 0 | 1 }>(
  items: readonly T[],
  statistic: (sample: T[]) => number | null,
  options: BootstrapOptions = {},
): BootstrapResult {
  const { iterations = 1000, seed = 1, alpha = 0.05 } = options;
  if (!Number.isInteger(iterations) || iterations < 0) throw new RangeError(`iterations must be a non-negative integer`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  const positives = items.filter((it) => it.y === 1);
  const negatives = items.filter((it) => it.y === 0);
  const rand = mulberry32(seed);
  const draw = (from: readonly T[], into: T[]): void => {
    for (let i = 0; i < from.length; i++) into.push(from[Math.floor(rand() * from.length)]!);
  };
  const values: number[] = [];
  for (let b = 0; b < iterations; b++) {
    const sample: T[] = [];
    draw(positives, sample);
    draw(negatives, sample);
    const v = statistic(sample);
    if (v !== null && !Number.isNaN(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  return {
    estimate: statistic([...items]),
    lo: quantile(values, alpha / 2),
    hi: quantile(values, 1 - alpha / 2),
    resamples: values.length,
  };
}

// ---------------------------------------------------------------------------------------------------
// 6–7. Operating points
// ---------------------------------------------------------------------------------------------------

export interface RecallAtFpr {
  recall: number;
  /** the chosen threshold, or `null` when no distinct-score threshold keeps FPR in bound (flag nothing) */
  threshold: number | null;
  fpr: number;
}

/**
 * The best recall reachable with FPR <= maxFpr, over thresholds at the distinct scores. Among
 * thresholds giving that recall the HIGHEST is chosen, because lowering the threshold further only
 * adds false positives. When even the highest score's threshold exceeds the FPR budget the honest
 * answer is "flag nothing": recall 0, FPR 0, threshold `null`. `null` when a class is absent.
 */
export function recallAtFpr(items: readonly ScoredItem[], maxFpr: number): RecallAtFpr | null {
  const { pos, neg, steps } = sweep(items);
  if (pos === 0 || neg === 0) return null;
  let best: RecallAtFpr = { recall: 0, threshold: null, fpr: 0 };
  for (const { threshold, tp, fp } of steps) {
    const f = fp / neg;
    if (f > maxFpr) break; // FPR only grows as the threshold falls
    const r = tp / pos;
    if (r > best.recall) best = { recall: r, threshold, fpr: f };
  }
  return best;
}

export interface PrecisionOperatingPoint {
  threshold: number;
  precision: number;
  recall: number;
}

/**
 * The LOWEST threshold (at a distinct score) whose precision >= targetPrecision, with the precision
 * and recall there. Precision is not monotone in the threshold, so this scans every threshold rather
 * than stopping at the first crossing; the lowest qualifying one maximises recall under the target.
 * `null` when no threshold reaches the target or the data hold no positives (recall undefined).
 */
export function thresholdForPrecision(
  items: readonly ScoredItem[],
  targetPrecision: number,
): PrecisionOperatingPoint | null {
  const { pos, steps } = sweep(items);
  if (pos === 0) return null;
  let found: PrecisionOperatingPoint | null = null;
  for (const { threshold, tp, fp } of steps) {
    const p = tp / (tp + fp);
    if (p >= targetPrecision) found = { threshold, precision: p, recall: tp / pos };
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------
// 8. Wilson score interval
// ---------------------------------------------------------------------------------------------------

export interface Interval {
  estimate: number;
  lo: number;
  hi: number;
}

/**
 * Wilson score interval for a binomial proportion. Used for small cells (per-language, per-group
 * recall) where the normal "p ± z·√(p(1−p)/n)" interval collapses to zero width at 0/n and n/n and can
 * leave [0, 1]. `estimate` is the observed proportion successes/n (not the Wilson centre).
 * `null` when n = 0: there is no proportion to estimate.
 */
export function wilson(successes: number, n: number, z = 1.96): Interval | null {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`successes must be an integer in [0, n], got ${successes}`);
  }
  if (n === 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Clamp only floating-point dust: mathematically lo = 0 exactly at p = 0 and hi = 1 at p = 1.
  return { estimate: p, lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

// ---------------------------------------------------------------------------------------------------
// 9. Calibration
// ---------------------------------------------------------------------------------------------------

export interface CalibrationBin {
  lo: number;
  hi: number;
  count: number;
  /** `null` for an empty bin */
  meanScore: number | null;
  /** share of positives in the bin; `null` for an empty bin */
  positiveRate: number | null;
}

export interface Calibration {
  /** expected calibration error; `null` for empty input */
  ece: number | null;
  table: CalibrationBin[];
}

/**
 * Reliability table with `bins` equal-width bins [i/bins, (i+1)/bins) — the last one closed, so a
 * score of exactly 1 is counted — and ECE = Σ count/N · |positiveRate − meanScore|.
 * Bin membership is decided against the same `i/bins` edges the table reports (not just
 * floor(score·bins), which floating point can put one bin low, e.g. 0.29·100 = 28.999…).
 * Empty bins stay in the table (count 0) so every report has the same rows, and add nothing to ECE.
 */
export function calibration(items: readonly ScoredItem[], bins = 10): Calibration {
  checkItems(items);
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const count = new Array<number>(bins).fill(0);
  const sumScore = new Array<number>(bins).fill(0);
  const sumPos = new Array<number>(bins).fill(0);
  for (const { y, score } of items) {
    if (score < 0 || score > 1) throw new RangeError(`calibration needs scores in [0, 1], got ${score}`);
    let b = Math.min(Math.floor(score * bins), bins - 1);
    while (b > 0 && score < b / bins) b--;
    while (b < bins - 1 && score >= (b + 1) / bins) b++;
    count[b]!++;
    sumScore[b]! += score;
    sumPos[b]! += y;
  }
  const n = items.length;
  let ece = 0;
  const table: CalibrationBin[] = count.map((c, i) => {
    const meanScore = ratio(sumScore[i]!, c);
    const positiveRate = ratio(sumPos[i]!, c);
    if (meanScore !== null && positiveRate !== null) ece += (c / n) * Math.abs(positiveRate - meanScore);
    return { lo: i / bins, hi: (i + 1) / bins, count: c, meanScore, positiveRate };
  });
  return { ece: n === 0 ? null : ece, table };
}

// ---------------------------------------------------------------------------------------------------
// 10. Breakdown by group
// ---------------------------------------------------------------------------------------------------

export interface BreakdownRow<M> {
  key: string;
  n: number;
  value: M;
}

/**
 * Groups rows by `key` and applies `metric` to each group (e.g. AUC per language).
 *
 * Only groups that occur are reported — a metric of nothing is noise in a table — unless
 * `expectedKeys` is given: then every expected key is reported, in that order, even with n = 0 (its
 * value is `metric([])`), so a language the test set should cover but does not shows up as an empty
 * cell instead of silently disappearing. Keys seen in the data but not expected follow, sorted.
 * Without `expectedKeys` groups are sorted by key (code-unit order, locale-independent) so reports
 * are stable across runs and machines.
 */
export function breakdown<T, M>(
  rows: readonly T[],
  key: (r: T) => string,
  metric: (rows: T[]) => M,
  expectedKeys?: readonly string[],
): BreakdownRow<M>[] {
  const groups = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const expected = expectedKeys ? [...new Set(expectedKeys)] : [];
  const expectedSet = new Set(expected);
  const extra = [...groups.keys()].filter((k) => !expectedSet.has(k)).sort(byCodeUnit);
  return [...expected, ...extra].map((k) => {
    const g = groups.get(k) ?? [];
    return { key: k, n: g.length, value: metric(g) };
  });
}
