import { describe, expect, it } from 'vitest';
import {
  bootstrapCI,
  breakdown,
  calibration,
  confusion,
  f1,
  fpr,
  mulberry32,
  prAuc,
  prCurve,
  precision,
  quantile,
  recall,
  recallAtFpr,
  rocAuc,
  rocCurve,
  threeWayConfusion,
  thresholdForPrecision,
  wilson,
  type ScoredItem,
} from '../src/eval/metrics.js';

/** Every expected value below was worked out by hand; the working is in the comments. */

const pos = (...scores: number[]): ScoredItem[] => scores.map((score) => ({ y: 1, score }));
const neg = (...scores: number[]): ScoredItem[] => scores.map((score) => ({ y: 0, score }));

// Fixture A: 4 positives, 4 negatives, no ties.
//   ranked: 0.9+ 0.8+ 0.7+ 0.6- 0.4- 0.3+ 0.2- 0.1-
//   AUC: positives 0.9, 0.8, 0.7 beat all 4 negatives (12 pairs), 0.3 beats 0.2 and 0.1 (2) → 14/16 = 0.875
//   AP:  positives enter at precisions 1/1, 2/2, 3/3, 4/6 → (1 + 1 + 1 + 2/3) / 4 = 11/12
const A: ScoredItem[] = [...pos(0.9, 0.8, 0.7, 0.3), ...neg(0.6, 0.4, 0.2, 0.1)];

/** Second computation for cross-checks: AUC by counting every (positive, negative) pair. */
function bruteAuc(items: ScoredItem[]): number | null {
  const p = items.filter((i) => i.y === 1);
  const n = items.filter((i) => i.y === 0);
  if (p.length === 0 || n.length === 0) return null;
  let wins = 0;
  for (const a of p) for (const b of n) wins += a.score > b.score ? 1 : a.score === b.score ? 0.5 : 0;
  return wins / (p.length * n.length);
}

/** Second computation for AP: precision@k at each positive, with the precision of a tied block taken at the block's end. */
function bruteAp(items: ScoredItem[]): number | null {
  const P = items.filter((i) => i.y === 1).length;
  if (P === 0 || P === items.length) return null;
  let ap = 0;
  for (const it of items) {
    if (it.y !== 1) continue;
    // everything scored >= this positive is flagged at its threshold
    const flagged = items.filter((j) => j.score >= it.score);
    ap += flagged.filter((j) => j.y === 1).length / flagged.length / P;
  }
  return ap;
}

/** Deterministic pseudo-random fixture with many ties (scores on a coarse grid). */
function randomFixture(seed: number, n: number): ScoredItem[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const y = r() < 0.4 ? 1 : 0;
    const score = Math.round(Math.min(1, Math.max(0, (y ? 0.6 : 0.4) + (r() - 0.5) * 0.8)) * 10) / 10;
    return { y: y as 0 | 1, score };
  });
}

describe('confusion and rates', () => {
  it('fixture A at 0.5: flags 0.9 0.8 0.7 (+) and 0.6 (−)', () => {
    const c = confusion(A, 0.5);
    expect(c).toEqual({ tp: 3, fp: 1, tn: 3, fn: 1 });
    expect(precision(c)).toBe(0.75);
    expect(recall(c)).toBe(0.75);
    expect(f1(c)).toBe(0.75);
    expect(fpr(c)).toBe(0.25);
  });

  it('score >= threshold is inclusive: at 0.7 the 0.7 positive is flagged', () => {
    const c = confusion(A, 0.7);
    expect(c).toEqual({ tp: 3, fp: 0, tn: 4, fn: 1 });
    expect(precision(c)).toBe(1);
    // F1 = 2·3 / (2·3 + 0 + 1) = 6/7
    expect(f1(c)).toBeCloseTo(6 / 7, 12);
    expect(fpr(c)).toBe(0);
  });

  it('no predicted positives → precision null, recall 0, F1 0', () => {
    const c = confusion(A, 0.95);
    expect(c).toEqual({ tp: 0, fp: 0, tn: 4, fn: 4 });
    expect(precision(c)).toBeNull();
    expect(recall(c)).toBe(0);
    expect(f1(c)).toBe(0);
  });

  it('missing classes give null recall / fpr; empty input gives all-null rates', () => {
    expect(recall(confusion(neg(0.2), 0.5))).toBeNull();
    expect(fpr(confusion(pos(0.2), 0.5))).toBeNull();
    const e = confusion([], 0.5);
    expect(e).toEqual({ tp: 0, fp: 0, tn: 0, fn: 0 });
    expect([precision(e), recall(e), f1(e), fpr(e)]).toEqual([null, null, null, null]);
  });

  it('rejects bad labels and NaN scores', () => {
    expect(() => confusion([{ y: 2 as 0, score: 0.5 }], 0.5)).toThrow(RangeError);
    expect(() => confusion([{ y: 1, score: NaN }], 0.5)).toThrow(RangeError);
  });
});

describe('threeWayConfusion', () => {
  // true → predicted: P→P ×3, P→A ×1, A→A ×2, A→B ×1, B→B ×4, B→P ×1   (P = propaganda, A = about, B = benign)
  // matrix rows (P, A, B): [3,1,0] [0,2,1] [1,0,4]
  // P: tp 3, predicted 4, support 4 → p = r = F1 = 3/4
  // A: tp 2, predicted 3, support 3 → p = r = F1 = 2/3
  // B: tp 4, predicted 5, support 5 → p = r = F1 = 4/5
  // macro-F1 = (3/4 + 2/3 + 4/5) / 3 = 133/180; accuracy = 9/12
  const rep = <L extends string>(label: L, predicted: L, k: number) => Array.from({ length: k }, () => ({ label, predicted }));
  const items = [
    ...rep('propaganda', 'propaganda', 3),
    ...rep('propaganda', 'about_extremism', 1),
    ...rep('about_extremism', 'about_extremism', 2),
    ...rep('about_extremism', 'benign', 1),
    ...rep('benign', 'benign', 4),
    ...rep('benign', 'propaganda', 1),
  ] as { label: 'propaganda' | 'about_extremism' | 'benign'; predicted: 'propaganda' | 'about_extremism' | 'benign' }[];

  it('matrix, per-class metrics and macro-F1 match the hand computation', () => {
    const r = threeWayConfusion(items);
    expect(r.labels).toEqual(['propaganda', 'about_extremism', 'benign']);
    expect(r.matrix).toEqual([
      [3, 1, 0],
      [0, 2, 1],
      [1, 0, 4],
    ]);
    expect(r.perClass.propaganda).toEqual({ precision: 0.75, recall: 0.75, f1: 0.75, support: 4 });
    expect(r.perClass.about_extremism.precision).toBeCloseTo(2 / 3, 12);
    expect(r.perClass.about_extremism.f1).toBeCloseTo(2 / 3, 12);
    expect(r.perClass.benign.f1).toBeCloseTo(0.8, 12);
    expect(r.macroF1).toBeCloseTo(133 / 180, 12);
    expect(r.accuracy).toBe(0.75);
    expect(r.n).toBe(12);
  });

  it('absent-and-unpredicted class has null F1 and is left out of macro-F1; unpredicted class with support scores 0', () => {
    // P→P, P→B, B→P.  propaganda: tp 1, predicted 2, support 2 → p ½, r ½, F1 ½
    // benign: tp 0, predicted 1, support 1 → p 0, r 0, F1 0; about_extremism: absent and unpredicted → all null
    const r = threeWayConfusion([
      { label: 'propaganda', predicted: 'propaganda' },
      { label: 'propaganda', predicted: 'benign' },
      { label: 'benign', predicted: 'propaganda' },
    ]);
    expect(r.perClass.benign).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(r.perClass.about_extremism).toEqual({ precision: null, recall: null, f1: null, support: 0 });
    expect(r.perClass.propaganda.f1).toBe(0.5);
    expect(r.macroF1).toBe(0.25); // (1/2 + 0) / 2, about_extremism excluded

    const never = threeWayConfusion([
      { label: 'benign', predicted: 'propaganda' },
      { label: 'propaganda', predicted: 'propaganda' },
    ]);
    expect(never.perClass.benign).toEqual({ precision: null, recall: 0, f1: 0, support: 1 });
  });

  it('custom labels, empty input and unknown labels', () => {
    const r = threeWayConfusion([{ label: 'x', predicted: 'y' }], ['x', 'y']);
    expect(r.matrix).toEqual([
      [0, 1],
      [0, 0],
    ]);
    const e = threeWayConfusion([]);
    expect(e.matrix).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(e.macroF1).toBeNull();
    expect(e.accuracy).toBeNull();
    expect(() => threeWayConfusion([{ label: 'spam' as 'benign', predicted: 'benign' }])).toThrow(RangeError);
  });
});

describe('rocAuc and prAuc', () => {
  it('fixture A: AUC 0.875 and AP 11/12', () => {
    expect(rocAuc(A)).toBe(0.875);
    expect(prAuc(A)).toBeCloseTo(11 / 12, 12);
    expect(bruteAuc(A)).toBe(0.875);
    expect(bruteAp(A)).toBeCloseTo(11 / 12, 12);
  });

  it('a tie across classes counts 1/2', () => {
    // one positive and one negative at the same score: the only pair is tied → 0.5
    expect(rocAuc([...pos(0.5), ...neg(0.5)])).toBe(0.5);
    // pos {0.8, 0.5}, neg {0.5, 0.2}: pairs 1 + 1 + ½ + 1 = 3.5 of 4 → 0.875
    expect(rocAuc([...pos(0.8, 0.5), ...neg(0.5, 0.2)])).toBe(0.875);
  });

  it('AP groups tied scores into one step, independent of input order', () => {
    // pos {0.5, 0.5}, neg {0.9, 0.5}: steps 0.9 → tp 0 fp 1; 0.5 → tp 2 fp 2 (precision 1/2)
    // AP = 1 · 1/2 = 0.5. (Positive-first tie-breaking would give 0.583, negative-first 0.417.)
    const a = [...pos(0.5, 0.5), ...neg(0.9, 0.5)];
    expect(prAuc(a)).toBe(0.5);
    expect(prAuc([...a].reverse())).toBe(0.5);
    // AUC: each positive loses to 0.9 (0) and ties 0.5 (½) → 2 · ½ / 4 = 0.25
    expect(rocAuc(a)).toBe(0.25);
    // pos {0.8, 0.5}, neg {0.5, 0.2}: AP = ½·1 + ½·(2/3) = 5/6
    expect(prAuc([...pos(0.8, 0.5), ...neg(0.5, 0.2)])).toBeCloseTo(5 / 6, 12);
  });

  it('all-equal scores: AUC 0.5, AP = prevalence', () => {
    const eq = [...pos(0.4, 0.4), ...neg(0.4, 0.4, 0.4)];
    expect(rocAuc(eq)).toBe(0.5);
    expect(prAuc(eq)).toBeCloseTo(0.4, 12); // 2 / 5
  });

  it('perfect and inverted rankings', () => {
    expect(rocAuc([...pos(0.9, 0.8), ...neg(0.2, 0.1)])).toBe(1);
    expect(prAuc([...pos(0.9, 0.8), ...neg(0.2, 0.1)])).toBe(1);
    expect(rocAuc([...pos(0.2, 0.1), ...neg(0.9, 0.8)])).toBe(0);
    // inverted: positives at ranks 3, 4 → AP = ½·(1/3) + ½·(2/4) = 5/12
    expect(prAuc([...pos(0.2, 0.1), ...neg(0.9, 0.8)])).toBeCloseTo(5 / 12, 12);
  });

  it('single class and empty input → null', () => {
    expect(rocAuc(pos(0.1, 0.9))).toBeNull();
    expect(rocAuc(neg(0.1, 0.9))).toBeNull();
    expect(prAuc(pos(0.1, 0.9))).toBeNull();
    expect(prAuc(neg(0.1, 0.9))).toBeNull();
    expect(rocAuc([])).toBeNull();
    expect(prAuc([])).toBeNull();
  });

  it('agrees with brute-force pair counting and precision@k on tie-heavy random data', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const items = randomFixture(seed, 40);
      const auc = rocAuc(items);
      const ap = prAuc(items);
      const bAuc = bruteAuc(items);
      const bAp = bruteAp(items);
      if (bAuc === null) expect(auc).toBeNull();
      else expect(auc).toBeCloseTo(bAuc, 12);
      if (bAp === null) expect(ap).toBeNull();
      else expect(ap).toBeCloseTo(bAp, 12);
    }
  });
});

describe('rocCurve and prCurve', () => {
  it('fixture A ROC: one point per distinct score plus (0,0); trapezoid area = AUC', () => {
    const c = rocCurve(A)!;
    expect(c.map((p) => [p.threshold, p.fpr, p.tpr])).toEqual([
      [Infinity, 0, 0],
      [0.9, 0, 0.25],
      [0.8, 0, 0.5],
      [0.7, 0, 0.75],
      [0.6, 0.25, 0.75],
      [0.4, 0.5, 0.75],
      [0.3, 0.5, 1],
      [0.2, 0.75, 1],
      [0.1, 1, 1],
    ]);
    let area = 0;
    for (let i = 1; i < c.length; i++) area += ((c[i]!.fpr - c[i - 1]!.fpr) * (c[i]!.tpr + c[i - 1]!.tpr)) / 2;
    expect(area).toBeCloseTo(0.875, 12);
  });

  it('fixture A PR: start (0, 1), last point recall 1 at prevalence; step sum = AP', () => {
    const c = prCurve(A)!;
    expect(c.map((p) => p.threshold)).toEqual([Infinity, 0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1]);
    expect(c.map((p) => p.recall)).toEqual([0, 0.25, 0.5, 0.75, 0.75, 0.75, 1, 1, 1]);
    const expectedP = [1, 1, 1, 1, 3 / 4, 3 / 5, 4 / 6, 4 / 7, 4 / 8];
    c.forEach((p, i) => expect(p.precision).toBeCloseTo(expectedP[i]!, 12));
    let ap = 0;
    for (let i = 1; i < c.length; i++) ap += (c[i]!.recall - c[i - 1]!.recall) * c[i]!.precision;
    expect(ap).toBeCloseTo(prAuc(A)!, 12);
  });

  it('ties give one diagonal step; all-equal scores give just the two ends', () => {
    expect(rocCurve([...pos(0.5), ...neg(0.5)])).toEqual([
      { threshold: Infinity, fpr: 0, tpr: 0 },
      { threshold: 0.5, fpr: 1, tpr: 1 },
    ]);
    expect(prCurve([...pos(0.4), ...neg(0.4, 0.4, 0.4)])).toEqual([
      { threshold: Infinity, recall: 0, precision: 1 },
      { threshold: 0.4, recall: 1, precision: 0.25 },
    ]);
  });

  it('trapezoid area under rocCurve equals rocAuc on tie-heavy random data', () => {
    for (let seed = 100; seed < 110; seed++) {
      const items = randomFixture(seed, 30);
      const c = rocCurve(items);
      if (c === null) continue;
      let area = 0;
      for (let i = 1; i < c.length; i++) area += ((c[i]!.fpr - c[i - 1]!.fpr) * (c[i]!.tpr + c[i - 1]!.tpr)) / 2;
      expect(area).toBeCloseTo(rocAuc(items)!, 12);
    }
  });

  it('single class / empty → null', () => {
    expect(rocCurve(pos(0.3))).toBeNull();
    expect(prCurve(neg(0.3))).toBeNull();
    expect(rocCurve([])).toBeNull();
    expect(prCurve([])).toBeNull();
  });
});

describe('mulberry32 and quantile', () => {
  it('mulberry32 is deterministic per seed and stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(xs[0]);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  });

  it('quantile interpolates linearly (type 7)', () => {
    // [1,2,3,4]: h = 3q; q = .5 → h 1.5 → 2.5; q = .025 → h .075 → 1.075; q = 1 → 4
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.025)).toBeCloseTo(1.075, 12);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
    expect(quantile([7], 0.3)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });
});

describe('bootstrapCI', () => {
  const data = randomFixture(7, 60);

  it('same seed → identical CI; the CI contains the estimate', () => {
    const r1 = bootstrapCI(data, rocAuc, { iterations: 300, seed: 123 });
    const r2 = bootstrapCI(data, rocAuc, { iterations: 300, seed: 123 });
    expect(r2).toEqual(r1);
    expect(r1.estimate).toBe(rocAuc(data));
    expect(r1.resamples).toBe(300);
    expect(r1.lo!).toBeLessThanOrEqual(r1.estimate!);
    expect(r1.hi!).toBeGreaterThanOrEqual(r1.estimate!);
    expect(r1.lo!).toBeLessThan(r1.hi!);
    const r3 = bootstrapCI(data, rocAuc, { iterations: 300, seed: 124 });
    expect([r3.lo, r3.hi]).not.toEqual([r1.lo, r1.hi]);
  });

  it('a smaller alpha gives a wider interval', () => {
    const r95 = bootstrapCI(data, prAuc, { iterations: 400, seed: 5, alpha: 0.05 });
    const r50 = bootstrapCI(data, prAuc, { iterations: 400, seed: 5, alpha: 0.5 });
    expect(r95.lo!).toBeLessThanOrEqual(r50.lo!);
    expect(r95.hi!).toBeGreaterThanOrEqual(r50.hi!);
  });

  it('is stratified: every resample has the original class counts', () => {
    const P = data.filter((d) => d.y === 1).length;
    const N = data.length - P;
    let calls = 0;
    bootstrapCI(
      data,
      (s) => {
        calls++;
        expect(s.filter((d) => d.y === 1).length).toBe(P);
        expect(s.filter((d) => d.y === 0).length).toBe(N);
        return 0;
      },
      { iterations: 50, seed: 9 },
    );
    expect(calls).toBe(51); // 50 resamples + the full-data estimate
  });

  it('skips resamples where the statistic is null', () => {
    let k = 0;
    const r = bootstrapCI(data, () => (k++ % 2 === 0 ? null : 1), { iterations: 10, seed: 1 });
    // calls 0..9 are resamples (even → null → skipped: 5 kept), call 10 is the estimate (even → null)
    expect(r.resamples).toBe(5);
    expect(r).toEqual({ estimate: null, lo: 1, hi: 1, resamples: 5 });
  });

  it('degenerate data: constant statistic → zero-width CI; single class → all null', () => {
    // all-equal scores: every stratified resample still has AUC exactly 0.5
    const eq = [...pos(0.4, 0.4, 0.4), ...neg(0.4, 0.4)];
    expect(bootstrapCI(eq, rocAuc, { iterations: 100, seed: 3 })).toEqual({ estimate: 0.5, lo: 0.5, hi: 0.5, resamples: 100 });
    // perfectly separated: every resample has AUC 1
    expect(bootstrapCI([...pos(0.9, 0.8), ...neg(0.1, 0.2)], rocAuc, { iterations: 50, seed: 3 })).toEqual({ estimate: 1, lo: 1, hi: 1, resamples: 50 });
    expect(bootstrapCI(pos(0.1, 0.9), rocAuc, { iterations: 20 })).toEqual({ estimate: null, lo: null, hi: null, resamples: 0 });
    expect(bootstrapCI([], rocAuc, { iterations: 20 })).toEqual({ estimate: null, lo: null, hi: null, resamples: 0 });
  });

  it('default options are deterministic too', () => {
    expect(bootstrapCI(A, rocAuc)).toEqual(bootstrapCI(A, rocAuc));
  });
});

describe('recallAtFpr', () => {
  // Fixture A per threshold (recall, FPR): .9 (.25, 0) .8 (.5, 0) .7 (.75, 0) .6 (.75, .25) .4 (.75, .5) .3 (1, .5) .2 (1, .75) .1 (1, 1)
  it('picks the best recall within the FPR budget, at the highest threshold giving it', () => {
    // budget 0 and 0.25 both allow recall .75; threshold .7 reaches it with FPR 0 (0.6 would add a false positive)
    expect(recallAtFpr(A, 0)).toEqual({ recall: 0.75, threshold: 0.7, fpr: 0 });
    expect(recallAtFpr(A, 0.25)).toEqual({ recall: 0.75, threshold: 0.7, fpr: 0 });
    expect(recallAtFpr(A, 0.5)).toEqual({ recall: 1, threshold: 0.3, fpr: 0.5 });
    expect(recallAtFpr(A, 1)).toEqual({ recall: 1, threshold: 0.3, fpr: 0.5 });
  });

  it('no threshold within budget → flag nothing (recall 0, threshold null)', () => {
    // the top score is a negative: the highest threshold already has FPR 1/2
    const b = [...pos(0.6, 0.3), ...neg(0.9, 0.1)];
    expect(recallAtFpr(b, 0)).toEqual({ recall: 0, threshold: null, fpr: 0 });
    expect(recallAtFpr(b, 0.5)).toEqual({ recall: 1, threshold: 0.3, fpr: 0.5 });
  });

  it('ties cannot be split: a tied positive/negative pair moves together', () => {
    // pos {0.5}, neg {0.5, 0.1}: threshold .5 → recall 1, FPR .5
    expect(recallAtFpr([...pos(0.5), ...neg(0.5, 0.1)], 0.49)).toEqual({ recall: 0, threshold: null, fpr: 0 });
    expect(recallAtFpr([...pos(0.5), ...neg(0.5, 0.1)], 0.5)).toEqual({ recall: 1, threshold: 0.5, fpr: 0.5 });
  });

  it('single class / empty → null', () => {
    expect(recallAtFpr(pos(0.5), 0.1)).toBeNull();
    expect(recallAtFpr([], 0.1)).toBeNull();
  });
});

describe('thresholdForPrecision', () => {
  // Fixture A precision per threshold: .9 1, .8 1, .7 1, .6 3/4, .4 3/5, .3 4/6, .2 4/7, .1 4/8
  it('returns the LOWEST qualifying threshold, even past a dip (precision is not monotone)', () => {
    // target .65: .6 (.75) qualifies, .4 (.6) does not, .3 (.667) qualifies again → lowest is .3, recall 1
    const r = thresholdForPrecision(A, 0.65)!;
    expect(r.threshold).toBe(0.3);
    expect(r.precision).toBeCloseTo(2 / 3, 12);
    expect(r.recall).toBe(1);
    expect(thresholdForPrecision(A, 0.9)).toEqual({ threshold: 0.7, precision: 1, recall: 0.75 });
    expect(thresholdForPrecision(A, 0.5)).toEqual({ threshold: 0.1, precision: 0.5, recall: 1 });
  });

  it('no threshold reaches the target → null', () => {
    // pos {0.6, 0.3}, neg {0.9, 0.1}: precisions .9 → 0, .6 → 1/2, .3 → 2/3, .1 → 1/2; best is 2/3 < 0.7
    const b = [...pos(0.6, 0.3), ...neg(0.9, 0.1)];
    expect(thresholdForPrecision(b, 0.7)).toBeNull();
    expect(thresholdForPrecision(A, 1.01)).toBeNull();
  });

  it('no positives or empty → null; all-equal scores → the single threshold', () => {
    expect(thresholdForPrecision(neg(0.4, 0.7), 0)).toBeNull();
    expect(thresholdForPrecision([], 0.5)).toBeNull();
    // 2 of 5 positive at one score: precision .4
    const eq = [...pos(0.4, 0.4), ...neg(0.4, 0.4, 0.4)];
    expect(thresholdForPrecision(eq, 0.4)).toEqual({ threshold: 0.4, precision: 0.4, recall: 1 });
    expect(thresholdForPrecision(eq, 0.41)).toBeNull();
  });
});

describe('wilson', () => {
  // Published 95% Wilson intervals (z = 1.96): 0/10 [0, .2775], 5/10 [.2366, .7634], 10/10 [.7225, 1]
  // e.g. 5/10: centre .5, half = 1.96/1.38416 · √(.025 + .009604) = .26341
  it('matches published values to 3 decimals', () => {
    const w0 = wilson(0, 10)!;
    expect(w0.estimate).toBe(0);
    expect(w0.lo).toBe(0);
    expect(w0.hi).toBeCloseTo(0.278, 3);
    const w5 = wilson(5, 10)!;
    expect(w5.estimate).toBe(0.5);
    expect(w5.lo).toBeCloseTo(0.237, 3);
    expect(w5.hi).toBeCloseTo(0.763, 3);
    const w10 = wilson(10, 10)!;
    expect(w10.estimate).toBe(1);
    expect(w10.lo).toBeCloseTo(0.722, 3);
    expect(w10.hi).toBe(1);
  });

  it('z changes the width; n = 0 → null; invalid counts throw', () => {
    // z = 1 at 5/10: centre .5, half = 1/1.1 · √(.025 + .0025) = .15076
    const w = wilson(5, 10, 1)!;
    expect(w.lo).toBeCloseTo(0.34924, 4);
    expect(w.hi).toBeCloseTo(0.65076, 4);
    expect(wilson(0, 0)).toBeNull();
    expect(() => wilson(11, 10)).toThrow(RangeError);
    expect(() => wilson(-1, 10)).toThrow(RangeError);
    expect(() => wilson(1.5, 10)).toThrow(RangeError);
  });
});

describe('calibration', () => {
  it('ECE on a 4-item, 2-bin example', () => {
    // bin [0, .5): scores .3 (+), .1 (−) → mean .2, rate .5, |.5 − .2| = .3
    // bin [.5, 1]: scores .9 (+), .8 (−) → mean .85, rate .5, |.5 − .85| = .35
    // ECE = 2/4 · .3 + 2/4 · .35 = .325
    const c = calibration([...pos(0.9, 0.3), ...neg(0.8, 0.1)], 2);
    expect(c.ece).toBeCloseTo(0.325, 12);
    expect(c.table).toHaveLength(2);
    expect(c.table[0]).toMatchObject({ lo: 0, hi: 0.5, count: 2, positiveRate: 0.5 });
    expect(c.table[0]!.meanScore).toBeCloseTo(0.2, 12);
    expect(c.table[1]).toMatchObject({ lo: 0.5, hi: 1, count: 2, positiveRate: 0.5 });
    expect(c.table[1]!.meanScore).toBeCloseTo(0.85, 12);
  });

  it('a score of exactly 1 goes in the last bin; boundaries belong to the upper bin; empty bins are null', () => {
    const c = calibration([...pos(1), ...neg(0)]);
    expect(c.table).toHaveLength(10);
    expect(c.table[9]).toMatchObject({ count: 1, meanScore: 1, positiveRate: 1 });
    expect(c.table[0]).toMatchObject({ count: 1, meanScore: 0, positiveRate: 0 });
    expect(c.table[5]).toEqual({ lo: 0.5, hi: 0.6, count: 0, meanScore: null, positiveRate: null });
    expect(c.ece).toBe(0);
    expect(calibration(pos(0.5), 2).table[1]!.count).toBe(1);
    // 0.29 · 100 = 28.999… in floating point, but 0.29 >= 29/100, so it belongs to bin 29
    expect(calibration(pos(0.29), 100).table[29]!.count).toBe(1);
  });

  it('empty input → ece null; out-of-range scores throw', () => {
    const c = calibration([], 4);
    expect(c.ece).toBeNull();
    expect(c.table.map((b) => b.count)).toEqual([0, 0, 0, 0]);
    expect(() => calibration(pos(1.2))).toThrow(RangeError);
    expect(() => calibration(pos(0.5), 0)).toThrow(RangeError);
  });
});

describe('breakdown', () => {
  type Row = ScoredItem & { lang: string };
  const rows: Row[] = [
    { lang: 'en', y: 1, score: 0.9 },
    { lang: 'en', y: 0, score: 0.2 },
    { lang: 'ar', y: 1, score: 0.4 },
    { lang: 'ar', y: 0, score: 0.6 },
    { lang: 'ur', y: 1, score: 0.7 },
  ];

  it('groups by key, sorted, with only the groups that occur', () => {
    const r = breakdown(rows, (x) => x.lang, rocAuc);
    // ar: the positive is below the negative → 0; en: separated → 1; ur: one class → null
    expect(r).toEqual([
      { key: 'ar', n: 2, value: 0 },
      { key: 'en', n: 2, value: 1 },
      { key: 'ur', n: 1, value: null },
    ]);
  });

  it('expected keys are reported in order, an empty cell with n = 0; unexpected keys follow', () => {
    const r = breakdown(rows, (x) => x.lang, (g) => g.length, ['ps', 'ar', 'en']);
    expect(r).toEqual([
      { key: 'ps', n: 0, value: 0 },
      { key: 'ar', n: 2, value: 2 },
      { key: 'en', n: 2, value: 2 },
      { key: 'ur', n: 1, value: 1 },
    ]);
    const auc = breakdown(rows, (x) => x.lang, rocAuc, ['ps']);
    expect(auc[0]).toEqual({ key: 'ps', n: 0, value: null });
  });

  it('empty rows → no groups unless asked for', () => {
    expect(breakdown([] as Row[], (x) => x.lang, rocAuc)).toEqual([]);
    expect(breakdown([] as Row[], (x) => x.lang, rocAuc, ['fa'])).toEqual([{ key: 'fa', n: 0, value: null }]);
  });
});
