import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { packageRoot } from '../paths.js';
import { createScorer } from '../scorer.js';
import { runTask, scorerOptions, type BatchTask, type ScorerSpec, type TaskResult } from './task.js';

/** Runs batch tasks: in this thread (workers ≤ 1), or on a piscina pool of worker threads. */
export interface Executor {
  run(task: BatchTask): Promise<TaskResult>;
  close(): Promise<void>;
  /** threads scoring (1 for in-thread) */
  readonly threads: number;
}

export function defaultWorkers(): number {
  return Math.max(1, Math.min(availableParallelism(), 16));
}

/**
 * The compiled worker file. Under vitest this module runs from src/*.ts, which a worker thread cannot
 * load, so the pool then uses the build in dist/ (`npm test` builds first).
 */
export function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts') ? join(packageRoot(), 'dist', 'src', 'batch', 'pool-worker.js') : join(dirname(here), 'pool-worker.js');
  if (!existsSync(file)) throw new Error(`raqib: ${file} is missing; run npm run build`);
  return file;
}

export async function createExecutor(opts: { workers: number; scorer: ScorerSpec }): Promise<Executor> {
  if (opts.workers <= 1) {
    const scorer = await createScorer(scorerOptions(opts.scorer));
    return { run: (task) => runTask(scorer, task), close: () => scorer.close(), threads: 1 };
  }
  const pool = new Piscina({
    filename: pathToFileURL(workerFile()).href,
    minThreads: opts.workers,
    maxThreads: opts.workers,
    idleTimeout: 60_000,
    workerData: { scorer: opts.scorer },
  });
  const exec: Executor = {
    run: (task) => pool.run(task) as Promise<TaskResult>,
    close: () => pool.destroy(),
    threads: opts.workers,
  };
  try {
    // every thread builds its scorer before the first record: setup errors (a bad lexicon or
    // threshold) surface here, once, as they do in-thread
    await Promise.all(Array.from({ length: opts.workers }, () => exec.run({ kind: 'init' })));
  } catch (e) {
    await pool.destroy();
    throw e;
  }
  return exec;
}
