import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../paths.js';
import type { ModelInfo, ModelPrediction, ModelText, TextClassifier } from './classifier.js';

/** What the main thread sends the model thread, and what comes back. */
export interface ThreadRequest {
  id: number;
  texts: ModelText[];
  batchSize: number;
  calibrated: boolean;
}
export type ThreadReply = { id: number; predictions: ModelPrediction[] } | { id: number; error: string };
export type ThreadReady = { info: ModelInfo } | { error: string };
export interface ThreadData {
  dir: string;
  dtype: 'fp32' | 'q8';
  threads?: number;
}

/**
 * The transformer in a worker thread of its own. onnxruntime-node runs a model synchronously on the
 * thread that calls it, so in one thread the lexicons, language detection and n-gram model wait while
 * the transformer reads, and the other way round. Here the main thread prepares the next batch while
 * this thread reads the current one. Measured on 2 cores (`npm run bench`, 10,000 records, two runs):
 * 1,114–1,206 records/s against 1,041–1,070 in one thread, first result after 863–865 ms against
 * 883–886, peak RSS 390–396 MB against 345–346: the second isolate and its heap cost nearly as much
 * as the overlap gains, so it is an option (`modelThread`, `--model-thread`), not the default. The
 * main thread's own work (lexicons, language, n-gram model) is as long as the transformer's, so two
 * cores cannot do much better.
 * Answers are the same as ModelClassifier's in the calling thread: the same code runs here, one request
 * after another, and no row ever sees another.
 *
 * The thread keeps the process alive only while a request is pending, so a library user who never
 * calls close() still sees the process end.
 */
export class ModelThread implements TextClassifier {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (p: ModelPrediction[]) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly info: ModelInfo,
  ) {
    worker.on('message', (m: ThreadReply) => this.settle(m));
    worker.on('error', (e) => this.failAll(e));
    worker.on('exit', (code) => this.failAll(new Error(`the model thread exited (code ${code})`)));
    worker.unref();
  }

  /**
   * `threads`: onnxruntime's intra-op threads in the model thread. One by default: on 2 cores the other
   * core is the main thread's (10,000 bench records: 1 thread 10.1–10.2 s, 2 threads 10.4–10.6 s).
   */
  static async load(dir: string, dtype: 'fp32' | 'q8' = 'q8', threads = 1): Promise<ModelThread> {
    const data: ThreadData = { dir, dtype, threads };
    const worker = new Worker(workerFile(), {
      workerData: data,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      // a worker inherits the process's flags; `--input-type` (a parent run as `node --input-type=module -e`) refuses a file
      execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')),
    });
    // only these three listeners go again (removeAllListeners would take Node's own with them)
    let onMessage!: (m: ThreadReady) => void;
    let onError!: (e: Error) => void;
    let onExit!: (code: number) => void;
    const ready = await new Promise<ThreadReady>((resolve, reject) => {
      onMessage = resolve;
      onError = reject;
      onExit = (code) => reject(new Error(`the model thread exited (code ${code}) before loading ${dir}`));
      worker.once('message', onMessage).once('error', onError).once('exit', onExit);
    }).finally(() => worker.off('message', onMessage).off('error', onError).off('exit', onExit));
    if ('error' in ready) {
      await worker.terminate();
      throw new Error(ready.error);
    }
    return new ModelThread(worker, ready.info);
  }

  classify(texts: ModelText[], batchSize = 32, calibrated = true): Promise<ModelPrediction[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (texts.length === 0) return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      const req: ThreadRequest = { id, texts, batchSize, calibrated };
      this.worker.postMessage(req);
    });
  }

  private settle(m: ThreadReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker.unref();
    if ('error' in m) p.reject(new Error(m.error));
    else p.resolve(m.predictions);
  }

  private failAll(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }

  async dispose(): Promise<void> {
    this.failure ??= new Error('the model thread was closed');
    await this.worker.terminate();
  }
}

/**
 * The model thread allocates little JavaScript (a batch's ids and answers); a small young generation
 * keeps its heap from growing to V8's default, which cost ~20 MB of peak RSS (342–348 MB against
 * 351–353 MB on 3,000 bench records).
 */
const YOUNG_GENERATION_MB = 4;

/** The compiled worker script: beside this file when built, under dist/ when this file runs as TypeScript (vitest). */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const built = here.endsWith('.ts') ? join(packageRoot(), 'dist', 'src', 'model', 'thread-worker.js') : join(dirname(here), 'thread-worker.js');
  if (!existsSync(built)) throw new Error(`raqib: ${built} is missing (run npm run build)`);
  return built;
}
