import { createReadStream, statSync } from 'node:fs';
import { write } from '../io/output.js';
import type { Readable } from 'node:stream';
import { detectFormat, readRecords, type RawRecord } from '../io/readers.js';
import type { Aggregator } from './aggregate.js';
import { jsonlChunks, recordChunks } from './chunks.js';
import { recordIdOf, type KeyMultiset } from './keys.js';
import { orderedMap } from './ordered.js';
import { createExecutor, type Executor } from './pool.js';
import { positionKey } from './resume.js';
import { jsonlChunkRecords, type BatchTask, type ScorerSpec, type TaskResult } from './task.js';

/**
 * The streaming batch scorer behind `raqib score`: inputs are cut into tasks (runs of JSONL lines, or
 * parsed CSV/JSON records), scored on an executor (this thread or a worker pool) with a bounded number
 * in flight, and their output comes back in input order — one line per input record, a result or an
 * error record, exactly as the single-threaded scorer writes it.
 */
export interface BatchInputOptions {
  /** files, `-` for stdin */
  inputs: string[];
  format?: string;
  stdin?: Readable;
  /** ids already in the output (--resume): records with these keys are not scored again */
  done?: KeyMultiset;
  /** per-record summaries for aggregation */
  summarize?: boolean;
  /** bytes per JSONL task */
  chunkBytes?: number;
  /** records per CSV/JSON task */
  chunkRecords?: number;
}

/** Tasks for the inputs, with records already in the output marked to skip. */
export async function* batchTasks(opts: BatchInputOptions): AsyncGenerator<BatchTask> {
  for (const input of opts.inputs) detectFormat(input === '-' ? '' : input, opts.format); // usage errors before any work
  let ordinal = 0;
  const done = opts.done;
  // keys of records, only while some output records have not been met again (resume)
  const marks = async (records: AsyncIterable<RawRecord> | Iterable<RawRecord>, source: string): Promise<number[]> => {
    const skip: number[] = [];
    let i = 0;
    for await (const raw of records as AsyncIterable<RawRecord>) {
      const id = recordIdOf(raw, source);
      if (done!.take(id ?? positionKey(ordinal))) skip.push(i);
      i++;
      ordinal++;
    }
    return skip;
  };
  const summarize = opts.summarize || undefined;
  for (const input of opts.inputs) {
    const source = input === '-' ? 'stdin' : input;
    const fmt = detectFormat(input === '-' ? '' : input, opts.format);
    if (fmt === 'jsonl') {
      const stream = input === '-' ? (opts.stdin ?? process.stdin) : createReadStream(input);
      for await (const c of jsonlChunks(stream, { minBytes: opts.chunkBytes, maxBytes: opts.chunkBytes ? opts.chunkBytes * 16 : undefined })) {
        const task: BatchTask = { kind: 'jsonl', source, firstLine: c.firstLine, bytes: c.bytes, summarize };
        if (done && done.remaining > 0) {
          const records: RawRecord[] = [];
          for await (const r of jsonlChunkRecords(c.bytes, c.firstLine)) records.push(r);
          task.skip = await marks(records, source);
          if (task.skip.length === records.length) continue;
        }
        yield task;
      }
    } else {
      for await (const items of recordChunks(readRecords(input, opts.format, opts.stdin), opts.chunkRecords)) {
        const task: BatchTask = { kind: 'records', source, items, summarize };
        if (done && done.remaining > 0) {
          task.skip = await marks(items, source);
          if (task.skip.length === items.length) continue;
        }
        yield task;
      }
    }
  }
}

export interface BatchRunOptions extends BatchInputOptions {
  /** worker threads; ≤ 1 scores in this thread */
  workers: number;
  scorer: ScorerSpec;
  /** tasks in flight (default 4 per thread): the memory bound */
  window?: number;
  /** an executor to use instead of creating one (it is not closed) */
  executor?: Executor;
}

/** Output of the inputs, in input order, one task's lines at a time. */
export async function* scoreBatch(opts: BatchRunOptions): AsyncGenerator<TaskResult> {
  const exec = opts.executor ?? (await createExecutor({ workers: opts.workers, scorer: opts.scorer }));
  try {
    yield* orderedMap(batchTasks(opts), (t) => exec.run(t), opts.window ?? Math.max(2, exec.threads * 4));
  } finally {
    if (!opts.executor) await exec.close();
  }
}

export interface BatchSinkOptions extends BatchRunOptions {
  out: NodeJS.WritableStream;
  errors?: NodeJS.WritableStream | null;
  aggregators?: Aggregator[];
  onProgress?: (records: number, errors: number) => void;
}

/** Score to writable streams with backpressure; returns the counts of lines written. */
export async function runBatch(opts: BatchSinkOptions): Promise<{ records: number; errors: number }> {
  let records = 0;
  let errors = 0;
  const aggs = opts.aggregators ?? [];
  for await (const r of scoreBatch({ ...opts, summarize: opts.summarize || aggs.length > 0 })) {
    if (r.text) await write(opts.out, r.text);
    if (r.errorText && opts.errors) await write(opts.errors, r.errorText);
    records += r.records;
    errors += r.errors;
    if (r.summaries) for (const s of r.summaries) for (const a of aggs) a.add(s);
    opts.onProgress?.(records, errors);
  }
  return { records, errors };
}

export { write } from '../io/output.js';

/** `auto` workers: a pool only when the inputs are files large enough to repay starting it (≈ 0.5 s a thread). */
export function autoWorkers(inputs: string[], pool: number, minBytes = 2 * 1024 * 1024): number {
  if (pool <= 1 || inputs.some((i) => i === '-')) return 1;
  let total = 0;
  for (const i of inputs) {
    try {
      total += statSync(i).size;
    } catch {
      return 1; // the reader reports the missing file
    }
  }
  return total >= minBytes ? pool : 1;
}
