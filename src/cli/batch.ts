import { createWriteStream, existsSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Aggregator, aggregateFiles, parseGroupKeys, type GroupKey } from '../batch/aggregate.js';
import type { QueueTarget } from '../batch/bullmq.js';
import { createExecutor, defaultWorkers } from '../batch/pool.js';
import { readResumeState, type ResumeState } from '../batch/resume.js';
import { autoWorkers, runBatch, write } from '../batch/run.js';
import { loadsModel, type ScorerSpec } from '../batch/task.js';
import { ocrOptionsFromCli } from '../ocr/index.js';
import { closeStream, Progress } from '../io/output.js';

// BullMQ and ioredis cost ~140 ms to import: only the queue commands pay it
const queue = () => import('../batch/bullmq.js');

/**
 * The batch side of the command line: `raqib score` (worker pool, --resume, --group-by),
 * `raqib aggregate`, and the BullMQ pair `raqib enqueue` / `raqib worker`. Each function takes the
 * arguments after its command and returns the exit status (0 fine, 1 some error records or dead jobs,
 * 2 usage or setup error). Also runnable on its own: `node dist/src/cli/batch.js score …`.
 */

export const BATCH_HELP = {
  usage: `  raqib aggregate FILE… --by creator   per-actor summary of score output (JSONL)
  raqib worker --redis URL --queue NAME   score BullMQ jobs; results into Redis, exactly once per record id
  raqib enqueue FILE… --redis URL --queue NAME [--wait --out FILE]   queue records as jobs (id = record id)
`,
  score: `  --workers N|auto          scoring threads (default auto: one per core for input files of 2 MiB or more
                            scored by the lexicons; 1 for smaller inputs, stdin, with the model or --ocr)
  --resume                  continue an interrupted --out file: skip records whose id it already holds
  --group-by KEY[,KEY]      also write a per-actor summary (creator, contract, collection, owner)
  --summary FILE            where (default: the --out file with .by-KEY.jsonl for .jsonl)
`,
  aggregate: `aggregate options:
  --by KEY[,KEY]            creator (default), contract, collection, owner
  --out FILE                write there instead of stdout
  --top N                   evidence terms per actor (default 10)
`,
  queue: `worker options:
  --redis URL --queue NAME  (both required)
  --concurrency N           jobs in flight (default 8)
  --lock-duration MS        a dead worker's jobs run again after this (default 30000)
  --stalled-interval MS     how often stalled jobs are looked for (default: the lock duration)
  --max-stalled N           stalls before a job is failed (default 1)
  --lexicon/--config/--threshold/--fields/--model/--no-model/--dtype/--model-thread  as for score

enqueue options:
  --redis URL --queue NAME  (both required)
  --attempts N              tries per job before it is a dead letter (default 3)
  --backoff MS              first retry delay, doubling (default 1000)
  --wait                    then wait for every result and write them in input order (--out or stdout)
  --collect                 only that: write the inputs' results from Redis, waiting for missing ones
  --timeout MS              give up waiting after MS without a new result
  --list-failed             list dead letters (JSONL); --retry-failed queues them again
  --status                  job counts and result counts (JSON)
`,
};

/** The scorer's flags, shared by score, worker and the batch path. */
export const SCORER_OPTIONS = {
  threshold: { type: 'string' },
  fields: { type: 'string' },
  lexicon: { type: 'string', multiple: true },
  config: { type: 'string' },
  model: { type: 'string' },
  'no-model': { type: 'boolean' },
  'model-thread': { type: 'boolean' },
  dtype: { type: 'string' },
} as const;

interface ScorerFlags {
  threshold?: string;
  fields?: string;
  lexicon?: string[];
  config?: string;
  model?: string;
  'no-model'?: boolean;
  'model-thread'?: boolean;
  dtype?: string;
}

function scorerSpec(v: ScorerFlags): ScorerSpec {
  if (v.dtype && v.dtype !== 'q8' && v.dtype !== 'fp32') throw new UsageError('--dtype is q8 or fp32');
  return {
    lexicons: v.lexicon ?? [],
    configPath: v.config,
    threshold: v.threshold,
    fields: v.fields?.split(',').map((s) => s.trim()).filter(Boolean),
    model: v['no-model'] ? false : v.model,
    dtype: v.dtype as ScorerSpec['dtype'],
    modelThread: v['model-thread'],
  };
}

/** `raqib score`'s OCR flags (the plain and the batch path take the same). */
export const OCR_OPTIONS = {
  ocr: { type: 'boolean' },
  'image-root': { type: 'string' },
  'ipfs-gateway': { type: 'string' },
  'ocr-workers': { type: 'string' },
} as const;

/**
 * The OCR flags → ScorerSpec['ocr'], checked as the plain `raqib score` checks them: image flags
 * without --ocr are a usage error; a bad --image-root or --ipfs-gateway is an OcrError (setup error).
 */
function ocrSpec(v: { ocr?: boolean; 'image-root'?: string; 'ipfs-gateway'?: string; 'ocr-workers'?: string }): ScorerSpec['ocr'] {
  if (!v.ocr && (v['image-root'] !== undefined || v['ipfs-gateway'] !== undefined || v['ocr-workers'] !== undefined)) {
    throw new UsageError('--image-root, --ipfs-gateway and --ocr-workers go with --ocr');
  }
  return v.ocr ? ocrOptionsFromCli({ imageRoot: v['image-root'], ipfsGateway: v['ipfs-gateway'], workers: v['ocr-workers'] ? Number(v['ocr-workers']) : undefined }) : undefined;
}

class UsageError extends Error {}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** parseArgs with positionals; usage errors become UsageError. */
function parse<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Runs a command body; a UsageError is printed and becomes exit status 2. */
async function guarded(cmd: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`raqib ${cmd}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

function positiveInt(name: string, s: string | undefined, dflt: number): number {
  if (s === undefined) return dflt;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name}: expected a positive integer, got "${s}"`);
  return n;
}

/** The summary file next to an output file: results.jsonl → results.by-creator.jsonl */
export function summaryPath(out: string, keys: GroupKey[]): string {
  const base = out.replace(/\.(jsonl|ndjson|json)$/i, '');
  return `${base}.by-${keys.join('-')}.jsonl`;
}

/**
 * `raqib score` with the batch options: every option of the plain command, plus --workers, --resume,
 * --group-by and --summary. Output is what the plain command writes: one line per input record, in
 * input order.
 */
export function scoreCommand(argv: string[]): Promise<number> {
  return guarded('score', async () => {
    const args = parse(argv, {
      format: { type: 'string' },
      out: { type: 'string' },
      errors: { type: 'string' },
      ...SCORER_OPTIONS,
      workers: { type: 'string' },
      resume: { type: 'boolean' },
      'group-by': { type: 'string' },
      summary: { type: 'string' },
      ...OCR_OPTIONS,
    });
    const v = args.values;
    const inputs = args.positionals.length ? args.positionals : ['-'];
    const spec = scorerSpec(v);
    const ocr = ocrSpec(v);
    if (ocr) spec.ocr = ocr;
    const groupKeys = v['group-by'] ? parseGroupKeysOrUsage(v['group-by']) : [];
    if (v.resume && !v.out) throw new UsageError('--resume needs --out FILE (the output to continue)');
    if (v.summary && groupKeys.length === 0) throw new UsageError('--summary goes with --group-by');
    if (groupKeys.length && !v.out && !v.summary) throw new UsageError('--group-by needs --out FILE or --summary FILE (standard output holds only records)');
    // auto: a pool for large file inputs scored by the lexicons. With the model the default stays 1,
    // by measurement: onnxruntime already runs one thread's inference on every core, so two pool
    // threads (each with its own session and copy of the model) compete for the same cores. On this
    // 2-core machine, shared with other jobs, 5,000 generated records (bench-batch --records 5000
    // --model …) took 9.0 s with 1 thread and 11.9 s with 2 (20.4 s vs 23.6 s under heavier load),
    // and peak RSS doubled (≈ 420 → 800 MB). --workers 2 works and writes the same output. OCR
    // also stays at 1: its tesseract workers are threads of their own (--ocr-workers, per scoring thread).
    const workers = v.workers === undefined || v.workers === 'auto' ? (loadsModel(spec) || spec.ocr ? 1 : autoWorkers(inputs, defaultWorkers())) : positiveInt('--workers', v.workers, 1);

    // the scorer (or every pool thread's) is built before any output file is touched: a setup error leaves them as they were
    const executor = await createExecutor({ workers, scorer: spec });
    const aggs = groupKeys.map((k) => new Aggregator(k));
    let out: NodeJS.WritableStream = process.stdout;
    let errOut: WriteStream | null = null;
    let prior: ResumeState | null = null;
    const progress = process.stderr.isTTY ? new Progress() : null;
    try {
      if (v.errors) errOut = createWriteStream(v.errors);
      if (v.resume && existsSync(v.out!)) {
        prior = await readResumeState(v.out!, async (rec, line) => {
          if (errOut && 'error' in rec) await write(errOut, `${line}\n`);
          for (const a of aggs) a.addRecord(rec);
        });
        process.stderr.write(`raqib score: resuming ${v.out}: ${prior.records} records already there${prior.truncated ? ` (cut a torn last line of ${prior.truncated} bytes)` : ''}\n`);
        out = createWriteStream(v.out!, { flags: 'a' });
      } else if (v.out) out = createWriteStream(v.out);
      const res = await runBatch({
        inputs,
        format: v.format,
        workers,
        scorer: spec,
        executor,
        done: prior?.done,
        out,
        errors: errOut,
        aggregators: aggs,
        onProgress: progress ? (n, e) => progress.tick(n, e) : undefined,
      });
      progress?.done(res.records, res.errors);
      if (aggs.length) {
        const file = v.summary ?? summaryPath(v.out!, groupKeys);
        writeFileSync(file, aggs.flatMap((a) => a.rows()).map((r) => `${JSON.stringify(r)}\n`).join(''));
      }
      return res.errors + (prior?.errors ?? 0) > 0 ? 1 : 0;
    } finally {
      await executor.close();
      if (out !== process.stdout) await closeStream(out as WriteStream);
      if (errOut) await closeStream(errOut);
    }
  });
}

function parseGroupKeysOrUsage(s: string): GroupKey[] {
  try {
    return parseGroupKeys(s);
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^--group-by\/--by: /, ''));
  }
}

/** `raqib aggregate FILE… --by creator`: per-actor summaries of score output, one JSON line per actor. */
export function aggregateCommand(argv: string[]): Promise<number> {
  return guarded('aggregate', async () => {
    const args = parse(argv, { by: { type: 'string' }, out: { type: 'string' }, top: { type: 'string' } });
    const v = args.values;
    const keys = parseGroupKeysOrUsage(v.by ?? 'creator');
    const top = positiveInt('--top', v.top, 10);
    const files = args.positionals.length ? args.positionals : ['-'];
    for (const f of files) if (f !== '-' && !existsSync(f)) throw new UsageError(`no such file: ${f}`);
    const aggs = keys.map((k) => new Aggregator(k, { top }));
    const { lines, unreadable } = await aggregateFiles(files, aggs);
    const out = v.out ? createWriteStream(v.out) : process.stdout;
    for (const a of aggs) for (const row of a.rows()) await write(out, `${JSON.stringify(row)}\n`);
    if (out !== process.stdout) await closeStream(out as WriteStream);
    const a0 = aggs[0];
    process.stderr.write(`raqib aggregate: ${lines} records (${a0.records} scored, ${a0.errors} error records), ${aggs.map((a) => `${a.actorCount} ${a.by}s`).join(', ')}${unreadable ? `; ${unreadable} unreadable lines skipped` : ''}\n`);
    return unreadable > 0 ? 1 : 0;
  });
}

function queueTarget(v: { redis?: string; queue?: string }): QueueTarget {
  if (!v.redis || !v.queue) throw new UsageError('--redis URL and --queue NAME are required');
  let u: URL;
  try {
    u = new URL(v.redis);
  } catch {
    throw new UsageError(`--redis: not a URL: ${v.redis}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UsageError('--redis: expected redis://host:port');
  if (!/^[\w.-]+$/.test(v.queue)) throw new UsageError('--queue: letters, digits, . _ - only');
  return { redis: v.redis, queue: v.queue };
}

/**
 * `raqib worker --redis URL --queue NAME`: score jobs until SIGINT or SIGTERM, then finish the active
 * ones and stop. Results go to Redis (see src/batch/bullmq.ts); progress and failures to stderr.
 */
export function workerCommand(argv: string[]): Promise<number> {
  return guarded('worker', async () => {
    const args = parse(argv, {
      redis: { type: 'string' },
      queue: { type: 'string' },
      concurrency: { type: 'string' },
      'lock-duration': { type: 'string' },
      'stalled-interval': { type: 'string' },
      'max-stalled': { type: 'string' },
      name: { type: 'string' },
      ...SCORER_OPTIONS,
    });
    const v = args.values;
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const target = queueTarget(v);
    const lockDuration = positiveInt('--lock-duration', v['lock-duration'], 30000);
    const log = (m: string) => process.stderr.write(`raqib worker: ${m}\n`);
    const { redactUrl, startWorker } = await queue();
    const handle = await startWorker({
      target,
      scorer: scorerSpec(v),
      concurrency: positiveInt('--concurrency', v.concurrency, 8),
      lockDuration,
      stalledInterval: positiveInt('--stalled-interval', v['stalled-interval'], lockDuration),
      maxStalledCount: v['max-stalled'] === undefined ? 1 : positiveInt('--max-stalled', v['max-stalled'], 1),
      name: v.name,
      log,
    });
    log(`ready: queue ${target.queue} on ${redactUrl(target.redis)} (pid ${process.pid})`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    log(`${signal}: finishing active jobs`);
    await handle.close();
    log(`stopped: ${handle.stats.written} results written, ${handle.stats.duplicate} already there, ${handle.stats.failed} jobs dead`);
    return 0;
  });
}

/**
 * `raqib enqueue FILE… --redis URL --queue NAME`: one job per record (job id from the record id; records
 * already scored are not queued again). --wait / --collect write the results in input order.
 */
export function enqueueCommand(argv: string[]): Promise<number> {
  return guarded('enqueue', async () => {
    const args = parse(argv, {
      redis: { type: 'string' },
      queue: { type: 'string' },
      format: { type: 'string' },
      attempts: { type: 'string' },
      backoff: { type: 'string' },
      wait: { type: 'boolean' },
      collect: { type: 'boolean' },
      out: { type: 'string' },
      timeout: { type: 'string' },
      'list-failed': { type: 'boolean' },
      'retry-failed': { type: 'boolean' },
      status: { type: 'boolean' },
    });
    const v = args.values;
    const target = queueTarget(v);
    const { collectResults, enqueueRecords, failedJobs, queueStatus, retryFailed } = await queue();
    if (v.status) {
      process.stdout.write(`${JSON.stringify(await queueStatus(target))}\n`);
      return 0;
    }
    if (v['list-failed']) {
      let n = 0;
      for await (const f of failedJobs(target)) {
        await write(process.stdout, `${JSON.stringify(f)}\n`);
        n++;
      }
      return n > 0 ? 1 : 0;
    }
    if (v['retry-failed']) {
      process.stderr.write(`raqib enqueue: ${await retryFailed(target)} failed jobs queued again\n`);
      return 0;
    }
    if (args.positionals.length === 0) throw new UsageError('name the files to enqueue (or - for stdin)');
    if (v.out && !v.wait && !v.collect) throw new UsageError('--out goes with --wait or --collect');
    const attempts = positiveInt('--attempts', v.attempts, 3);
    const backoffMs = positiveInt('--backoff', v.backoff, 1000);
    const timeoutMs = v.timeout === undefined ? undefined : positiveInt('--timeout', v.timeout, 1);
    const inputs = args.positionals;
    if ((v.wait || v.collect) && inputs.includes('-')) throw new UsageError('--wait/--collect read the inputs twice: name files, not stdin');
    if (!v.collect) {
      const r = await enqueueRecords({ target, inputs, format: v.format, attempts, backoffMs });
      process.stderr.write(`raqib enqueue: ${r.records} records: ${r.added} jobs added, ${r.done} already scored (queue ${target.queue})\n`);
    }
    if (!v.wait && !v.collect) return 0;
    const out = v.out ? createWriteStream(v.out) : process.stdout;
    try {
      const c = await collectResults({ target, inputs, format: v.format, out, timeoutMs });
      if (c.failed.length) process.stderr.write(`raqib enqueue: ${c.failed.length} records have dead jobs and no result (see --list-failed, --retry-failed): ${c.failed.slice(0, 10).join(', ')}${c.failed.length > 10 ? ', …' : ''}\n`);
      if (c.missing.length) process.stderr.write(`raqib enqueue: ${c.missing.length} records were never queued: ${c.missing.slice(0, 10).join(', ')}${c.missing.length > 10 ? ', …' : ''}\n`);
      return c.errors > 0 || c.failed.length > 0 || c.missing.length > 0 ? 1 : 0;
    } finally {
      if (out !== process.stdout) await closeStream(out as WriteStream);
    }
  });
}

/** score | aggregate | worker | enqueue, for running this file directly. */
export async function batchMain(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'score') return scoreCommand(rest);
  if (command === 'aggregate') return aggregateCommand(rest);
  if (command === 'worker') return workerCommand(rest);
  if (command === 'enqueue') return enqueueCommand(rest);
  process.stderr.write(`usage: raqib score|aggregate|worker|enqueue …\n\n${BATCH_HELP.usage}\nscore options (besides the usual):\n${BATCH_HELP.score}\n${BATCH_HELP.aggregate}\n${BATCH_HELP.queue}`);
  return 2;
}



if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  batchMain(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`raqib: ${(err as Error)?.message ?? err}\n`);
      process.exitCode = 2;
    },
  );
}
