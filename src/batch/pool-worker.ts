/**
 * A piscina worker thread: builds its own scorer once (from plain options passed as workerData: the
 * lexicons, the model, and OCR with its image root and gateway) and runs batch tasks with it. Loaded
 * from dist/ (see pool.ts).
 */
import { workerData } from 'piscina';
import { createScorer, type Scorer } from '../scorer.js';
import { runTask, scoreSlice, scorerOptions, type BatchTask, type ScorerSpec, type TaskResult } from './task.js';

const spec = (workerData as { scorer: ScorerSpec }).scorer;
let scorer: Promise<Scorer> | null = null;

export default async function run(task: BatchTask): Promise<TaskResult> {
  if (task.kind === 'close') {
    const s = scorer;
    scorer = null;
    try {
      if (s) await (await s.catch(() => null))?.close();
    } finally {
      await arrive(task);
    }
    return { text: '', records: 0, errors: 0, errorText: '' };
  }
  if (task.kind === 'init') {
    scorer ??= createScorer(scorerOptions(spec));
    try {
      await scorer;
    } catch (e) {
      scorer = null; // a later task tries again (and fails the same way)
      throw e;
    } finally {
      await arrive(task);
    }
    return runTask(await scorer, task);
  }
  scorer ??= createScorer(scorerOptions(spec));
  return runTask(await scorer, task, scoreSlice(spec));
}

/**
 * Count this thread in at the task's barrier and wait for the other parties (bounded: a thread that
 * never arrives delays, but does not stop, the others). While it waits this thread takes no other
 * task, so `parties` control tasks submitted together run on `parties` different threads.
 */
async function arrive(task: Extract<BatchTask, { kind: 'init' | 'close' }>, timeoutMs = 120_000): Promise<void> {
  if (!task.barrier || !task.parties) return;
  const count = new Int32Array(task.barrier);
  const arrived = Atomics.add(count, 0, 1) + 1;
  if (arrived >= task.parties) {
    Atomics.notify(count, 0);
    return;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = Atomics.load(count, 0);
    if (now >= task.parties || Date.now() >= deadline) return;
    const w = Atomics.waitAsync(count, 0, now, deadline - Date.now());
    if (w.async) await w.value;
  }
}
