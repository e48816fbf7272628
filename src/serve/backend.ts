/**
 * Where `raqib serve` scores: in the server's own thread (default), or in a piscina pool of worker
 * threads (`--workers N`), each with its own copy of the same scorer the CLI uses. Both keep input
 * order, honour an AbortSignal (the request's timeout or a client hang-up), and report readiness
 * once the scorer (lexicons, language models) is loaded.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Piscina } from 'piscina';
import { packageRoot } from '../paths.js';
import { createScorer, type Scorer, type ScorerOptions } from '../scorer.js';
import type { OutputRecord, ScoreResult } from '../types.js';
import type { ScoreTask, WorkerData } from './worker.js';

export interface ScoreCall {
  /** fallback ids are `<source>:<index + 1>` */
  source: string;
  signal?: AbortSignal;
}

export interface ScoreBackend {
  readonly kind: 'in-process' | 'pool';
  /** threads that score (1 for in-process) */
  readonly threads: number;
  /** resolves once every scorer is loaded; rejects when loading failed (bad lexicon, missing build) */
  readonly whenReady: Promise<void>;
  isReady(): boolean;
  /** the loaded scorer's version (raqib, lexicons digest, config), once ready */
  version(): ScoreResult['version'] | null;
  /** the model that scores with the lexicons (`{name, sha256}`), or null for lexicons only */
  model(): ScoreResult['model'];
  score(records: unknown[], call: ScoreCall): Promise<OutputRecord[]>;
  close(): Promise<void>;
}

/**
 * Records per scoreBatch call in the server thread: a large request is scored in slices with a turn
 * of the event loop between them, so that it does not hold up the small requests queued behind it
 * and a timeout or hang-up is noticed (8 lexicon-only records take about 5 ms).
 */
const SLICE = 8;

export class InProcessBackend implements ScoreBackend {
  readonly kind = 'in-process' as const;
  readonly threads = 1;
  readonly whenReady: Promise<void>;
  private scorer: Scorer | null = null;

  constructor(options: ScorerOptions = {}) {
    this.whenReady = createScorer(options).then(async (s) => {
      await s.score({ text: 'warm-up' });
      this.scorer = s;
    });
    this.whenReady.catch(() => {}); // reported by whoever awaits it
  }

  isReady(): boolean {
    return this.scorer !== null;
  }

  version(): ScoreResult['version'] | null {
    return this.scorer?.version ?? null;
  }

  model(): ScoreResult['model'] {
    const m = this.scorer?.model;
    return m ? { name: m.name, sha256: m.sha256 } : null;
  }

  async score(records: unknown[], call: ScoreCall): Promise<OutputRecord[]> {
    const scorer = this.scorer;
    if (!scorer) throw new NotReadyError();
    const out: OutputRecord[] = [];
    for (let start = 0; start < records.length; start += SLICE) {
      if (start > 0) await yieldToLoop();
      call.signal?.throwIfAborted();
      const items = records.slice(start, start + SLICE).map((record, i) => ({ record, ctx: { source: call.source, line: start + i + 1 } }));
      out.push(...(await scorer.scoreBatch(items)));
    }
    return out;
  }

  async close(): Promise<void> {
    await this.scorer?.close();
  }
}

/** A request batch is split over the pool's threads only when each slice gets at least this many records. */
const MIN_SLICE = 8;

export class PoolBackend implements ScoreBackend {
  readonly kind = 'pool' as const;
  readonly whenReady: Promise<void>;
  private readonly pool: Piscina<ScoreTask, OutputRecord[]>;
  private ready = false;
  private loadedVersion: ScoreResult['version'] | null = null;
  private loadedModel: ScoreResult['model'] = null;

  constructor(readonly threads: number, options: ScorerOptions = {}) {
    const filename = workerFile();
    const workerData: WorkerData = { scorer: options };
    this.pool = new Piscina<ScoreTask, OutputRecord[]>({ filename, minThreads: threads, maxThreads: threads, idleTimeout: Infinity, workerData });
    this.pool.on('error', () => {}); // a dying worker is replaced; its task's caller gets the error
    // one warm-up task per thread: each thread takes one task at a time, so all of them must load
    this.whenReady = Promise.all(Array.from({ length: threads }, () => this.pool.run({ records: [{ text: 'warm-up' }], source: 'warm-up', lineStart: 1 }))).then((rs) => {
      const first = rs[0]?.[0];
      if (first && 'version' in first) {
        this.loadedVersion = first.version;
        this.loadedModel = first.model;
      }
      this.ready = true;
    });
    this.whenReady.catch(() => {});
  }

  isReady(): boolean {
    return this.ready;
  }

  version(): ScoreResult['version'] | null {
    return this.loadedVersion;
  }

  model(): ScoreResult['model'] {
    return this.loadedModel;
  }

  async score(records: unknown[], call: ScoreCall): Promise<OutputRecord[]> {
    if (!this.ready) throw new NotReadyError();
    const slices = Math.max(1, Math.min(this.threads, Math.floor(records.length / MIN_SLICE)));
    const size = Math.ceil(records.length / slices);
    const tasks: Array<Promise<OutputRecord[]>> = [];
    for (let start = 0; start < records.length; start += size) {
      const task: ScoreTask = { records: records.slice(start, start + size), source: call.source, lineStart: start + 1 };
      tasks.push(this.run(task, call.signal));
    }
    return (await Promise.all(tasks)).flat();
  }

  /**
   * At most one task per thread is handed to piscina; the rest wait here, where a cancelled request's
   * tasks are simply dropped. (Passing the signal to piscina would terminate a thread that is running
   * a slice, and its replacement takes a second to load the scorer.)
   */
  private async run(task: ScoreTask, signal?: AbortSignal): Promise<OutputRecord[]> {
    await this.acquire(signal);
    try {
      return await this.pool.run(task);
    } finally {
      this.release();
    }
  }

  private running = 0;
  private readonly waiting: Array<() => void> = [];

  private acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.running < this.threads) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(go);
    });
  }

  /** hands the slot straight to the next waiting task, if any */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  async close(): Promise<void> {
    // close() lets running slices finish; a pool whose threads never loaded has nothing to finish
    // (and its close() would wait for them)
    if (this.ready) await this.pool.close();
    else await this.pool.destroy();
  }
}

export class NotReadyError extends Error {
  constructor() {
    super('the scorer is still loading; retry shortly');
    this.name = 'NotReadyError';
  }
}

/** The compiled worker: beside this file when built; under vitest (TypeScript sources) the build's copy. */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts') ? join(packageRoot(), 'dist', 'src', 'serve', 'worker.js') : join(dirname(here), 'worker.js');
  if (!existsSync(file)) throw new Error(`raqib serve: worker ${file} not found; run npm run build`);
  return file;
}

export function createBackend(workers: number, options: ScorerOptions = {}): ScoreBackend {
  return workers > 0 ? new PoolBackend(workers, options) : new InProcessBackend(options);
}
