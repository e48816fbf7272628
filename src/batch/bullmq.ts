import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { readRecords, type RawRecord } from '../io/readers.js';
import { createScorer, type Scorer } from '../scorer.js';
import type { OutputRecord, Warning } from '../types.js';
import { recordChunks } from './chunks.js';
import { recordIdOf } from './keys.js';
import { outputsOf, scorerOptions, type ScorerSpec } from './task.js';

/**
 * Scoring on BullMQ (Redis): `enqueue` turns each input record into a job whose id is derived from the
 * record id, so enqueueing twice adds nothing; workers on any number of machines score jobs with the
 * same scorer as `raqib score` and write each result into a Redis hash keyed by record id, with
 * HSETNX, so the first write wins and a job that runs twice (BullMQ delivers at least once: a
 * crashed worker's jobs run again once their lock expires) still leaves exactly one result. The same
 * Lua script appends first writes to a Redis stream, for consumers that follow results as they come.
 * Retries (attempts with exponential backoff) and dead letters (the failed set) are BullMQ's own.
 *
 * Keys, with the queue name as a hash tag so that one Lua script may touch both on a cluster:
 *   raqib:{QUEUE}:results  hash   record id → output line (a result or an error record, JSON)
 *   raqib:{QUEUE}:stream   stream one entry {id, result} per record, in completion order
 *   raqib:{QUEUE}:stats    hash   written / duplicate counters
 */
export interface QueueTarget {
  /** redis://[user:password@]host:port[/db] */
  redis: string;
  queue: string;
}

export interface RecordJob {
  /** the record id (or `<source>:<line>` for a record without one): the results key */
  key: string;
  source: string;
  line: number;
  value?: unknown;
  warnings?: Warning[];
  error?: { code: string; message: string };
}

export function resultKeys(queue: string): { results: string; stream: string; stats: string } {
  const tag = `raqib:{${queue}}`;
  return { results: `${tag}:results`, stream: `${tag}:stream`, stats: `${tag}:stats` };
}

/**
 * BullMQ job id for a record key: BullMQ refuses ids that are integers or contain ':', so the key is
 * percent-encoded (':' → %3A) behind a fixed prefix — one key, one job id, never two.
 */
export function jobIdFor(key: string): string {
  return `r_${encodeURIComponent(key)}`;
}

export function keyOfJobId(jobId: string): string | null {
  return jobId.startsWith('r_') ? decodeURIComponent(jobId.slice(2)) : null;
}

/** The results key of a record, as enqueue computes it. */
export function recordKey(raw: RawRecord, source: string): string {
  return recordIdOf(raw, source) ?? `${source}:${raw.line}`;
}

/** A URL safe to print: no password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

// a worker's connection must retry forever (BullMQ requires maxRetriesPerRequest: null); a one-shot
// command should fail rather than hang when Redis is down
const redisOptions = (worker: boolean) => (worker ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 2, retryStrategy: (n: number) => (n > 5 ? null : 200 * n) });

function connect(url: string, worker = false): Redis {
  return new Redis(url, redisOptions(worker));
}

/** Connection options (not a client): BullMQ then owns the connections it makes and closes them. */
function connection(url: string, worker = false) {
  return { url, ...redisOptions(worker) };
}

// HSETNX the result; on a first write, also append it to the stream and count it
const PUT_RESULT = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('XADD', KEYS[2], '*', 'id', ARGV[1], 'result', ARGV[2])
  redis.call('HINCRBY', KEYS[3], 'written', 1)
  return 1
end
redis.call('HINCRBY', KEYS[3], 'duplicate', 1)
return 0`;

type ResultRedis = Redis & { raqibPutResult(results: string, stream: string, stats: string, key: string, value: string): Promise<number> };

function withPutResult(r: Redis): ResultRedis {
  r.defineCommand('raqibPutResult', { numberOfKeys: 3, lua: PUT_RESULT });
  return r as ResultRedis;
}

export interface EnqueueOptions {
  target: QueueTarget;
  inputs: string[];
  format?: string;
  stdin?: Readable;
  /** tries per job before it is dead (default 3) */
  attempts?: number;
  /** first retry delay, doubling after (default 1000 ms) */
  backoffMs?: number;
  /** jobs per round trip (default 500) */
  bulk?: number;
  onProgress?: (records: number) => void;
}

/**
 * Add one job per input record. Records whose result is already in Redis are not added, and BullMQ
 * ignores a job id it already holds (waiting, active, delayed or failed): enqueueing twice is harmless.
 * Completed jobs are removed (their result lives in the results hash), failed ones kept as dead letters.
 */
export async function enqueueRecords(opts: EnqueueOptions): Promise<{ records: number; added: number; done: number }> {
  const redis = connect(opts.target.redis);
  const queue = new Queue<RecordJob>(opts.target.queue, { connection: connection(opts.target.redis) });
  const keys = resultKeys(opts.target.queue);
  const jobOpts = {
    attempts: opts.attempts ?? 3,
    backoff: { type: 'exponential', delay: opts.backoffMs ?? 1000 },
    removeOnComplete: true,
    removeOnFail: false,
  };
  let records = 0;
  let added = 0;
  let done = 0;
  try {
    for (const input of opts.inputs) {
      const source = input === '-' ? 'stdin' : input;
      for await (const batch of recordChunks(readRecords(input, opts.format, opts.stdin), opts.bulk ?? 500)) {
        const jobs = batch.map((raw) => ({ raw, key: recordKey(raw, source) }));
        const exists = await hexistsMany(redis, keys.results, jobs.map((j) => j.key));
        const todo = jobs.filter((_, i) => !exists[i]);
        done += jobs.length - todo.length;
        if (todo.length) {
          await queue.addBulk(
            todo.map(({ raw, key }) => ({
              name: 'score',
              data: 'error' in raw ? { key, source, line: raw.line, error: raw.error } : { key, source, line: raw.line, value: raw.value, warnings: raw.warnings },
              opts: { ...jobOpts, jobId: jobIdFor(key) },
            })),
          );
          added += todo.length;
        }
        records += batch.length;
        opts.onProgress?.(records);
      }
    }
  } finally {
    await queue.close();
    redis.disconnect();
  }
  return { records, added, done };
}

async function hexistsMany(redis: Redis, hash: string, fields: string[]): Promise<boolean[]> {
  if (fields.length === 0) return [];
  const p = redis.pipeline();
  for (const f of fields) p.hexists(hash, f);
  const res = (await p.exec()) ?? [];
  return res.map(([err, v]) => {
    if (err) throw err;
    return v === 1;
  });
}

export interface WorkerOptions {
  target: QueueTarget;
  scorer?: ScorerSpec;
  /** jobs in flight per process (default 8): scoring is synchronous, this hides Redis round trips */
  concurrency?: number;
  /** ms a job stays locked to this worker without renewal (default 30000): how soon a crashed worker's jobs run again */
  lockDuration?: number;
  /** ms between checks for stalled jobs (default: lockDuration) */
  stalledInterval?: number;
  /** times a job may stall before it is failed (default 1) */
  maxStalledCount?: number;
  /** worker name, recorded by BullMQ on the jobs it takes */
  name?: string;
  log?: (msg: string) => void;
}

export interface WorkerHandle {
  worker: Worker<RecordJob>;
  /** results written first by this worker / found already written (a job run again) */
  stats: { written: number; duplicate: number; failed: number };
  /** stop taking jobs, finish the active ones, disconnect */
  close(): Promise<void>;
}

export async function startWorker(opts: WorkerOptions): Promise<WorkerHandle> {
  const scorer = await createScorer(scorerOptions(opts.scorer ?? {}));
  const keys = resultKeys(opts.target.queue);
  const redis = withPutResult(connect(opts.target.redis, true));
  const stats = { written: 0, duplicate: 0, failed: 0 };
  const log = opts.log ?? (() => {});
  const lockDuration = opts.lockDuration ?? 30000;
  const batcher = new MicroBatcher(scorer);
  const worker = new Worker<RecordJob>(
    opts.target.queue,
    async (job: Job<RecordJob>) => {
      const d = checkJob(job.data);
      if ((await redis.hexists(keys.results, d.key)) === 1) {
        // a job that ran before (its worker died after writing, before BullMQ heard) or a duplicate id
        await redis.hincrby(keys.stats, 'duplicate', 1);
        stats.duplicate++;
        return 'duplicate';
      }
      const raw: RawRecord = d.error ? { line: d.line, error: d.error } : { line: d.line, value: d.value, warnings: d.warnings ?? [] };
      const line = JSON.stringify(await batcher.score(raw, d.source));
      const first = await redis.raqibPutResult(keys.results, keys.stream, keys.stats, d.key, line);
      if (first === 1) stats.written++;
      else stats.duplicate++;
      return first === 1 ? 'written' : 'duplicate';
    },
    {
      connection: connection(opts.target.redis, true),
      concurrency: opts.concurrency ?? 8,
      lockDuration,
      stalledInterval: opts.stalledInterval ?? lockDuration,
      maxStalledCount: opts.maxStalledCount ?? 1,
      name: opts.name,
      autorun: false,
    },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final) stats.failed++;
    log(`job ${job.id} failed (attempt ${job.attemptsMade} of ${job.opts.attempts ?? 1}${final ? ', now in the failed set' : ', will retry'}): ${err.message}`);
  });
  worker.on('error', (err) => log(`worker error: ${err.message}`));
  void worker.run();
  await worker.waitUntilReady();
  return {
    worker,
    stats,
    async close() {
      await worker.close();
      redis.disconnect();
      await scorer.close();
    },
  };
}

/**
 * Jobs running side by side (worker concurrency) are scored together: calls made in the same turn of
 * the event loop go to the scorer as one batch (one model call when a model is loaded).
 */
class MicroBatcher {
  private pending: Array<{ raw: RawRecord; source: string; resolve: (r: OutputRecord) => void; reject: (e: unknown) => void }> = [];

  constructor(private readonly scorer: Scorer) {}

  score(raw: RawRecord, source: string): Promise<OutputRecord> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ raw, source, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      // one scorer call per source keeps each record's fallback id right
      for (const source of new Set(batch.map((b) => b.source))) {
        const mine = batch.filter((b) => b.source === source);
        const out = await outputsOf(this.scorer, mine.map((b) => b.raw), source);
        mine.forEach((b, i) => b.resolve(out[i]));
      }
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }
}

/** Job data as enqueue writes it; anything else is an error (retried, then a dead letter). */
function checkJob(d: unknown): RecordJob {
  const j = d as RecordJob;
  const ok =
    typeof j === 'object' && j !== null && typeof j.key === 'string' && typeof j.source === 'string' && Number.isInteger(j.line) && j.line >= 1 &&
    (j.error ? typeof j.error.code === 'string' && typeof j.error.message === 'string' : 'value' in j);
  if (!ok) throw new Error(`not a raqib record job: ${JSON.stringify(d).slice(0, 200)}`);
  return j;
}

export interface FailedJob {
  job_id: string;
  key: string | null;
  attempts_made: number;
  attempts: number;
  failed_reason: string;
  finished_on: string | null;
}

/** Dead letters: the queue's failed set (jobs that used all their attempts). */
export async function* failedJobs(target: QueueTarget, page = 200): AsyncGenerator<FailedJob> {
  const queue = new Queue(target.queue, { connection: connection(target.redis) });
  try {
    for (let start = 0; ; start += page) {
      const jobs = await queue.getFailed(start, start + page - 1);
      for (const j of jobs) {
        if (!j) continue;
        yield {
          job_id: String(j.id),
          key: keyOfJobId(String(j.id)) ?? (typeof (j.data as RecordJob)?.key === 'string' ? (j.data as RecordJob).key : null),
          attempts_made: j.attemptsMade,
          attempts: j.opts.attempts ?? 1,
          failed_reason: j.failedReason,
          finished_on: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
        };
      }
      if (jobs.length < page) return;
    }
  } finally {
    await queue.close();
  }
}

/** Move every dead letter back to the wait list (each gets its attempts again). */
export async function retryFailed(target: QueueTarget): Promise<number> {
  const queue = new Queue(target.queue, { connection: connection(target.redis) });
  let n = 0;
  try {
    for (;;) {
      const jobs = await queue.getFailed(0, 199);
      if (jobs.length === 0) return n;
      for (const j of jobs) {
        if (!j) continue;
        await j.retry('failed');
        n++;
      }
    }
  } finally {
    await queue.close();
  }
}

export interface CollectOptions {
  target: QueueTarget;
  inputs: string[];
  format?: string;
  stdin?: Readable;
  out: NodeJS.WritableStream;
  /** poll interval while results are missing (default 250 ms) */
  pollMs?: number;
  /** give up after this long without a new result (default: wait for ever) */
  timeoutMs?: number;
  onProgress?: (written: number) => void;
}

/**
 * The results of the inputs' records, in input order — the file `raqib score` would write — taken from
 * the results hash, waiting for records still queued or running. Records whose job is dead (failed) or
 * was never enqueued have no line; they are returned so the caller can report them.
 */
export async function collectResults(opts: CollectOptions): Promise<{ records: number; written: number; errors: number; failed: string[]; missing: string[] }> {
  const redis = connect(opts.target.redis);
  const queue = new Queue(opts.target.queue, { connection: connection(opts.target.redis) });
  const { results } = resultKeys(opts.target.queue);
  const failed: string[] = [];
  const missing: string[] = [];
  let records = 0;
  let written = 0;
  let errors = 0;
  let lastProgress = Date.now();
  try {
    for (const input of opts.inputs) {
      const source = input === '-' ? 'stdin' : input;
      for await (const batch of recordChunks(readRecords(input, opts.format, opts.stdin), 500)) {
        const keys = batch.map((raw) => recordKey(raw, source));
        records += keys.length;
        const lines: Array<string | null> = new Array(keys.length).fill(null);
        let pending = keys.map((_, i) => i);
        for (;;) {
          const vals = await redis.hmget(results, ...pending.map((i) => keys[i]));
          const still: number[] = [];
          pending.forEach((i, k) => {
            if (vals[k] !== null) lines[i] = vals[k];
            else still.push(i);
          });
          if (still.length < pending.length) lastProgress = Date.now();
          pending = [];
          for (const i of still) {
            const state = await queue.getJobState(jobIdFor(keys[i]));
            if (state === 'failed') failed.push(keys[i]);
            else if (state === 'unknown' && (await redis.hexists(results, keys[i])) === 0) missing.push(keys[i]);
            else pending.push(i);
          }
          if (pending.length === 0) break;
          if (opts.timeoutMs !== undefined && Date.now() - lastProgress > opts.timeoutMs) throw new Error(`no new result for ${opts.timeoutMs} ms; ${pending.length} records of this batch still waiting (is a worker running?)`);
          await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
        }
        for (const l of lines) {
          if (l === null) continue;
          if (!opts.out.write(`${l}\n`)) await once(opts.out, 'drain');
          written++;
          if (l.startsWith('{"line":')) errors++;
        }
        opts.onProgress?.(written);
      }
    }
  } finally {
    await queue.close();
    redis.disconnect();
  }
  return { records, written, errors, failed, missing };
}

/** Counts of the queue's job states and of results, for progress and tests. */
export async function queueStatus(target: QueueTarget): Promise<{ jobs: Record<string, number>; results: number; stream: number; written: number; duplicate: number }> {
  const redis = connect(target.redis);
  const queue = new Queue(target.queue, { connection: connection(target.redis) });
  try {
    const keys = resultKeys(target.queue);
    const jobs = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children');
    const [results, stream, stats] = await Promise.all([redis.hlen(keys.results), redis.xlen(keys.stream), redis.hgetall(keys.stats)]);
    return { jobs, results, stream, written: Number(stats.written ?? 0), duplicate: Number(stats.duplicate ?? 0) };
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
