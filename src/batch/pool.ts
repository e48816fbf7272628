import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { packageRoot } from '../paths.js';
import { createScorer } from '../scorer.js';
import { loadsModel, runTask, scoreSlice, scorerOptions, type BatchTask, type ScorerSpec, type TaskResult } from './task.js';

/** Runs batch tasks: in this thread (workers ≤ 1), or on a piscina pool of worker threads. */
export interface Executor {
  run(task: BatchTask): Promise<TaskResult>;
  close(): Promise<void>;
  /** threads scoring (1 for in-thread) */
  readonly threads: number;
}

/**
 * V8 old-generation limit of each pool thread, MB. A thread's live heap is ≈ 110–125 MB (lexicons,
 * language models, caches; the ONNX model's weights are native memory), but with V8's default limit
 * (≈ 4 GB here) the heap may grow 4× past the live size between major collections — on a long run each
 * thread's RSS ratcheted up with the machine's load (1,000,000 records, 2 threads: 0.98 GB at 10 % of
 * the output → 1.35 GB at 90 %). Below 2 GB V8 grows the heap by at most 2× (1.6× at 1 GB) before
 * collecting, so RSS stays level; 1 GB still leaves room for records of tens of MB.
 */
export const POOL_THREAD_HEAP_MB = 1024;

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

/**
 * One scoring thread with the model runs on a pool thread too, not on the main thread: only a worker
 * thread can be given its own heap limit (POOL_THREAD_HEAP_MB), and on the main thread V8's default
 * limit let RSS climb on long runs (100,000 records with the model: 431 → 680 MB from 10 % to 100 % of
 * the output, peak 725 MB; on one pool thread 512 → 556 MB, peak 588 MB, at the same 970 records/s).
 * Lexicons alone stay on the main thread, where start-up is quicker.
 */
export async function createExecutor(opts: { workers: number; scorer: ScorerSpec }): Promise<Executor> {
  if (opts.workers <= 1 && !loadsModel(opts.scorer)) {
    const scorer = await createScorer(scorerOptions(opts.scorer));
    const slice = scoreSlice(opts.scorer);
    return { run: (task) => runTask(scorer, task, slice), close: () => scorer.close(), threads: 1 };
  }
  const pool = new Piscina({
    filename: pathToFileURL(workerFile()).href,
    minThreads: opts.workers,
    maxThreads: opts.workers,
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: POOL_THREAD_HEAP_MB },
    workerData: { scorer: opts.scorer },
  });
  // one control task per thread, held at a shared barrier so that no thread takes two
  const everyThread = (kind: 'init' | 'close') => {
    const barrier = new SharedArrayBuffer(4);
    return Promise.allSettled(Array.from({ length: opts.workers }, () => pool.run({ kind, barrier, parties: opts.workers } satisfies BatchTask)));
  };
  let closed: Promise<void> | null = null;
  const exec: Executor = {
    run: (task) => pool.run(task) as Promise<TaskResult>,
    // each thread closes its scorer first (an OCR engine's tesseract workers and temporary
    // traineddata directory), then the threads go
    close: () =>
      (closed ??= (async () => {
        try {
          await everyThread('close');
        } finally {
          await pool.destroy();
        }
      })()),
    threads: opts.workers,
  };
  // every thread builds its scorer before the first record: setup errors (a bad lexicon or
  // threshold, missing OCR traineddata) surface here, once, as they do in-thread
  const failed = (await everyThread('init')).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await exec.close();
    throw failed.reason;
  }
  return exec;
}
