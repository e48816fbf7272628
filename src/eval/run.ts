import { createScorer, type Scorer, type ScorerOptions } from '../scorer.js';
import { buildReport, buildScorerReport, type BreakdownDim } from './build.js';
import { scoreRows } from './collect.js';
import { readLabelled } from './dataset.js';
import type { EvalReport } from './report-types.js';

/** lexicon: keywords alone; model: the transformer alone; ngram: the n-gram model alone; fused: what `raqib score` outputs */
export const SCORERS = ['lexicon', 'model', 'ngram', 'fused'] as const;
export type ScorerName = (typeof SCORERS)[number];

export interface EvalOptions {
  files: string[];
  labelField?: string;
  positive?: string;
  format?: string;
  scorers?: ScorerName[];
  breakdowns?: BreakdownDim[];
  targetPrecision?: number;
  bootstrap?: number;
  seed?: number;
  topErrors?: number;
  title?: string;
  command?: string;
  scorerOptions?: ScorerOptions;
}

/** Builds the scorer a name stands for. The model scorers arrive with the shipped model. */
export async function scorerFor(name: ScorerName, options: ScorerOptions = {}): Promise<Scorer> {
  if (name === 'lexicon') return createScorer({ ...options, model: false });
  const scorer = await createScorer(options);
  if (!scorer.model) {
    await scorer.close();
    throw new Error(`scorer "${name}" needs a model: no model found (use --scorer lexicon, or --model DIR)`);
  }
  return scorer;
}

/** `raqib eval` as a library call: read, score with every chosen scorer, measure. Never drops a record. */
export async function evaluate(opt: EvalOptions): Promise<EvalReport> {
  const labelField = opt.labelField ?? 'label';
  const positive = opt.positive ?? 'propaganda';
  const perFile = [];
  for (const f of opt.files) perFile.push({ file: f.split('/').pop() ?? f, ...(await readLabelled(f, { labelField, positive, format: opt.format })) });
  const records = perFile.flatMap((f) => f.records);
  const reports = [];
  for (const name of opt.scorers ?? ['lexicon']) {
    const alone = name === 'model' ? 'transformer' : name === 'ngram' ? 'ngram' : undefined;
    const scorer = await scorerFor(name, alone ? { ...opt.scorerOptions, fusion: false, alone } : opt.scorerOptions);
    const rows = await scoreRows(records, scorer);
    await scorer.close();
    reports.push(
      buildScorerReport(name, rows, {
        breakdowns: opt.breakdowns ?? ['lang', 'category', 'source', 'evasion'],
        targetPrecision: opt.targetPrecision ?? 0.95,
        bootstrap: opt.bootstrap ?? 1000,
        seed: opt.seed ?? 1,
        topErrors: opt.topErrors ?? 25,
      }),
    );
  }
  return buildReport(opt.title ?? `raqib evaluation: ${perFile.map((f) => f.file).join(', ')}`, opt.command ?? 'raqib eval', positive, perFile, reports);
}
