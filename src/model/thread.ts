import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../paths.js';
import type { ModelInfo, ModelPrediction, ModelText } from './classifier.js';

/** What the scorer needs of a model: the classifier itself, or the same classifier on its own thread. */
export interface TextClassifier {
  readonly info: ModelInfo;
  classify(texts: ModelText[], batchSize?: number, calibrated?: boolean): Promise<ModelPrediction[]>;
  dispose(): Promise<void>;
}

export type ThreadRequest = { id: number; texts: ModelText[]; batchSize?: number; calibrated?: boolean };
export type ThreadReply =
  | { kind: 'ready'; info: ModelInfo }
  | { kind: 'failed'; message: string }
  | { id: number; predictions: ModelPrediction[] }
  | { id: number; error: string };

/** The compiled worker file; under vitest (src/*.ts) the build in dist/ (`npm test` builds first). */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts') ? join(packageRoot(), 'dist', 'src', 'model', 'thread-worker.js') : join(dirname(here), 'thread-worker.js');
  if (!existsSync(file)) throw new Error(`raqib: ${file} is missing; run npm run build`);
  return file;
}

/** The parent's node options, less `--input-type` (refused for a worker loaded from a file: `node --input-type=module -e …`). */
function workerExecArgv(): string[] {
  const out: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const a = process.execArgv[i];
    if (a === '--input-type') i++;
    else if (!a.startsWith('--input-type=')) out.push(a);
  }
  return out;
}

/**
 * The model on a worker thread of its own. onnxruntime-node runs inference synchronously on the
 * calling thread, so in-process the lexicons, language ID and JSON wait while the model computes;
 * here they run on the caller's thread meanwhile (two batches in flight: see scoreMany and the
 * batch pool), and the model loads while the caller builds its lexicons. The thread holds
 * transformers.js and the onnxruntime session; the caller never loads them. It keeps the process
 * alive only while a request is pending. Answers equal the in-process classifier's
 * (test/model-thread.test.ts): the same code computes them.
 */
export class ModelThread implements TextClassifier {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (p: ModelPrediction[]) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly info: ModelInfo,
  ) {
    worker.on('message', (m: ThreadReply) => {
      if (!('id' in m)) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if ('error' in m) p.reject(new Error(`model thread: ${m.error}`));
      else p.resolve(m.predictions);
    });
    const fail = (e: Error) => {
      this.failure ??= e;
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(new Error(`model thread failed: ${e.message}`)));
    worker.on('exit', (code) => fail(new Error(`model thread exited (code ${code})`)));
    worker.unref();
  }

  static load(dir: string, dtype: 'fp32' | 'q8' = 'q8'): Promise<ModelThread> {
    // the thread's live heap is small (the weights are native memory): a low limit keeps its RSS level
    const worker = new Worker(workerFile(), { workerData: { dir, dtype }, execArgv: workerExecArgv(), resourceLimits: { maxOldGenerationSizeMb: 512 } });
    return new Promise((resolve, reject) => {
      const early = (e: Error) => reject(new Error(`model thread failed to start: ${e.message}`));
      worker.once('error', early);
      worker.once('message', (m: ThreadReply) => {
        worker.off('error', early);
        if ('kind' in m && m.kind === 'ready') resolve(new ModelThread(worker, m.info));
        else {
          void worker.terminate();
          reject(new Error('kind' in m && m.kind === 'failed' ? m.message : 'model thread: unexpected first message'));
        }
      });
    });
  }

  classify(texts: ModelText[], batchSize?: number, calibrated?: boolean): Promise<ModelPrediction[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (texts.length === 0) return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, texts, batchSize, calibrated } satisfies ThreadRequest);
    });
  }

  async dispose(): Promise<void> {
    this.failure ??= new Error('model thread closed');
    await this.worker.terminate();
  }
}
