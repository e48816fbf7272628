import type { ModelPrediction } from '../model/classifier.js';
import { PROPAGANDA_CATEGORIES } from '../lexicon/types.js';
import type { CategoryMap, Label } from '../types.js';

/**
 * Fusion of the model with the lexicons into one calibrated propaganda probability: a logistic
 * regression over a few features, fitted on the dev split (scripts/train/fit-fusion.ts) and shipped
 * with the model as fusion.json. So `score` means a probability, and the lexicon's evidence and the
 * reporting context can move the model's answer in either direction by amounts learnt, not guessed.
 */
export interface LexiconSummary {
  /** strongest category score before context */
  raw: number;
  /** strongest category score after the context discount (the lexicon scorer's own score) */
  after: number;
  /** record-level reporting / counter-speech context, noisy-OR */
  context: number;
  benignSense: number;
  categories: CategoryMap<number>;
}

export interface FusionParams {
  version: string;
  features: string[];
  weights: number[];
  bias: number;
  /** how it was fitted: data, rows, dev log-loss, date */
  fitted_on: string;
}

const EPS = 1e-4;
const logit = (p: number) => Math.log(Math.min(1 - EPS, Math.max(EPS, p)) / (1 - Math.min(1 - EPS, Math.max(EPS, p))));

/**
 * Every input the fusion can weigh. A fusion.json names the ones it was fitted with, so a model
 * directory without the n-gram model (or a fusion fitted before it existed) still scores.
 */
export const FEATURES = ['model_logit', 'model_about_logit', 'lexicon_raw', 'lexicon_after_context', 'context', 'benign_sense', 'ngram_logit', 'ngram_about_logit'] as const;
export type FeatureName = (typeof FEATURES)[number];

/** The fusion inputs of one record; the n-gram ones only when an n-gram model is loaded. */
export function fusionFeatures(m: ModelPrediction, lex: LexiconSummary, ngram?: { labels: Record<Label, number> }): Partial<Record<FeatureName, number>> {
  const f: Partial<Record<FeatureName, number>> = {
    model_logit: logit(m.labels.propaganda),
    model_about_logit: logit(m.labels.about_extremism),
    lexicon_raw: lex.raw,
    lexicon_after_context: lex.after,
    context: lex.context,
    benign_sense: lex.benignSense,
  };
  if (ngram) {
    f.ngram_logit = logit(ngram.labels.propaganda);
    f.ngram_about_logit = logit(ngram.labels.about_extremism);
  }
  return f;
}

/** The features a fusion.json names that these inputs lack (a fusion fitted with the n-gram model, used without it). */
export function missingFeatures(p: FusionParams, available: readonly FeatureName[]): string[] {
  return p.features.filter((f) => !available.includes(f as FeatureName));
}

export function fuse(features: Partial<Record<FeatureName, number>>, p: FusionParams): number {
  let z = p.bias;
  for (let i = 0; i < p.features.length; i++) {
    const v = features[p.features[i] as FeatureName];
    if (v === undefined) throw new Error(`fusion feature ${p.features[i]} is not available`);
    z += p.weights[i] * v;
  }
  return 1 / (1 + Math.exp(-z));
}

/**
 * Category scores: the fused probability, shared out by category. The strongest category (by the
 * larger of the model's category head and the lexicon's category score) carries the full probability;
 * the others carry it in proportion, so a card that is glorification first and branding second says so.
 */
export function fusedCategories(score: number, m: ModelPrediction, lex: LexiconSummary): CategoryMap<number> {
  const strength = Object.fromEntries(PROPAGANDA_CATEGORIES.map((c) => [c, Math.max(m.categories[c], lex.categories[c])])) as CategoryMap<number>;
  const top = Math.max(...Object.values(strength));
  const out = { ...strength };
  for (const c of PROPAGANDA_CATEGORIES) out[c] = top > 0 ? round(score * (strength[c] / top)) : 0;
  return out;
}

/**
 * Plain logistic regression by Newton's method (IRLS) with a small L2 penalty: a handful of features
 * and a few thousand rows need nothing more, and the result does not depend on a learning rate.
 */
export function fitLogistic(x: number[][], y: number[], l2 = 1e-3, iterations = 50): { weights: number[]; bias: number; logLoss: number } {
  const d = x[0].length + 1;
  let w = new Array<number>(d).fill(0);
  const row = (i: number) => [...x[i], 1];
  for (let it = 0; it < iterations; it++) {
    const g = new Array<number>(d).fill(0);
    const h = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < x.length; i++) {
      const r = row(i);
      const p = 1 / (1 + Math.exp(-r.reduce((a, v, j) => a + v * w[j], 0)));
      const s = p * (1 - p);
      for (let j = 0; j < d; j++) {
        g[j] += (p - y[i]) * r[j];
        for (let k = 0; k < d; k++) h[j][k] += s * r[j] * r[k];
      }
    }
    for (let j = 0; j < d - 1; j++) {
      g[j] += l2 * w[j];
      h[j][j] += l2;
    }
    const step = solve(h, g);
    w = w.map((v, j) => v - step[j]);
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  let ll = 0;
  for (let i = 0; i < x.length; i++) {
    const p = Math.min(1 - 1e-12, Math.max(1e-12, 1 / (1 + Math.exp(-row(i).reduce((a, v, j) => a + v * w[j], 0)))));
    ll -= y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
  }
  return { weights: w.slice(0, d - 1), bias: w[d - 1], logLoss: ll / x.length };
}

/** Gaussian elimination with partial pivoting (the systems here are 7 × 7). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const piv = m[c][c] || 1e-12;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / piv;
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((r, i) => r[n] / (r[i] || 1e-12));
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
