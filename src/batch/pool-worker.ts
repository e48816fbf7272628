/**
 * A piscina worker thread: builds its own scorer once (from plain options passed as workerData) and
 * runs batch tasks with it. Loaded from dist/ (see pool.ts).
 */
import { workerData } from 'piscina';
import { createScorer, type Scorer } from '../scorer.js';
import { runTask, scorerOptions, type BatchTask, type ScorerSpec, type TaskResult } from './task.js';

let scorer: Promise<Scorer> | null = null;

export default async function run(task: BatchTask): Promise<TaskResult> {
  scorer ??= createScorer(scorerOptions((workerData as { scorer: ScorerSpec }).scorer));
  return runTask(await scorer, task);
}
