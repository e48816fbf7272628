/**
 * A piscina worker thread for `raqib serve --workers N`: loads the same scorer as the CLI once
 * (piscina waits for the exported promise before handing the thread any task) and scores a slice
 * of a request's records. Built to dist/src/serve/worker.js, which is what the pool loads.
 */
import { workerData } from 'piscina';
import { createScorer, type ScorerOptions } from '../scorer.js';
import type { OutputRecord } from '../types.js';

export interface ScoreTask {
  records: unknown[];
  /** fallback ids are `<source>:<line>` */
  source: string;
  /** 1-based line number of records[0] within the request */
  lineStart: number;
}

export interface WorkerData {
  scorer?: ScorerOptions;
}

async function init(): Promise<(task: ScoreTask) => Promise<OutputRecord[]>> {
  const scorer = await createScorer((workerData as WorkerData | undefined)?.scorer ?? {});
  return (task) => scorer.scoreBatch(task.records.map((record, i) => ({ record, ctx: { source: task.source, line: task.lineStart + i } })));
}

export default init();
