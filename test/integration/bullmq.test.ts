import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRecords } from '../../scripts/generate-records.js';
import { jobIdFor, resultKeys } from '../../src/batch/bullmq.js';
import { readRecords } from '../../src/io/readers.js';
import { createScorer } from '../../src/scorer.js';
import type { OutputRecord } from '../../src/types.js';

/**
 * BullMQ worker mode against a real redis-server (Debian's package, started here on a free loopback
 * port and stopped at the end): records enqueued as jobs, two worker processes sharing the queue, one
 * killed with SIGKILL mid-run — every record's result must still be there exactly once, equal to what
 * `raqib score` writes, and the collected file equal to `raqib score`'s output. Needs
 * `apt-get install -y --no-install-recommends redis-server`; run by `npm run test:integration`.
 */
const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'dist', 'src', 'cli', 'batch.js');
const dir = mkdtempSync(join(tmpdir(), 'raqib-bullmq-'));
const QUEUE = 'raqib-it';
const N = 3000;

let redisProc: ChildProcess;
let url: string;
let redis: Redis;
const workers: Record<string, { proc: ChildProcess; stderr: string; exit: Promise<number | null> }> = {};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, fn: () => Promise<T | false | null | undefined>, timeoutMs = 60000, everyMs = 100): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function runCli(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, timeout: 120000 });
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

function startWorker(name: string): void {
  const proc = spawn(process.execPath, [cli, 'worker', '--redis', url, '--queue', QUEUE, '--name', name, '--no-model', '--concurrency', '8', '--lock-duration', '2000', '--stalled-interval', '1000', '--max-stalled', '5'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const w = { proc, stderr: '', exit: new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code))) };
  proc.stderr!.on('data', (d: Buffer) => (w.stderr += d.toString('utf8')));
  workers[name] = w;
}

const input = join(dir, 'records.jsonl');
/** record key (id, or <file>:<line>) → expected output line */
const expected = new Map<string, string>();
let expectedFile = '';

beforeAll(async () => {
  const probe = spawnSync('redis-server', ['--version']);
  if (probe.error) throw new Error('redis-server not found: apt-get install -y --no-install-recommends redis-server');
  const port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  redisProc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' });
  redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true, retryStrategy: () => 50 });
  redis.on('error', () => {}); // refused until redis-server listens
  await until('redis-server to answer', async () => (await redis.connect().then(() => true, () => false)) && (await redis.ping()) === 'PONG', 10000, 20);

  // records with ids, a few without (keyed <file>:<line>), and lines that do not parse
  const lines = generateRecords(N, 3).map((r, i) => (i % 500 === 250 ? '{"id": "broken", ' : i % 700 === 350 ? JSON.stringify({ name: `no id ${i}`, description: 'Amaq Agency release' }) : JSON.stringify(r)));
  writeFileSync(input, `${lines.join('\n')}\n`);
  const scorer = await createScorer({ model: false });
  for await (const raw of readRecords(input)) {
    const rec: OutputRecord = 'error' in raw ? { line: raw.line, error: raw.error } : await scorer.score(raw.value, { source: input, line: raw.line, warnings: raw.warnings });
    const key = 'id' in rec && rec.id ? rec.id : `${input}:${raw.line}`;
    expected.set(key, JSON.stringify(rec));
    expectedFile += `${JSON.stringify(rec)}\n`;
  }
  await scorer.close();
  expect(expected.size).toBe(N);
}, 120000);

afterAll(async () => {
  for (const w of Object.values(workers)) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGKILL');
  redis?.disconnect();
  if (redisProc && redisProc.exitCode === null) {
    const gone = new Promise((r) => redisProc.once('exit', r));
    redisProc.kill('SIGTERM');
    await gone;
  }
});

describe('raqib enqueue / raqib worker on BullMQ', () => {
  it('two workers, one killed mid-run: every record has exactly one result, equal to raqib score', async () => {
    const keys = resultKeys(QUEUE);
    const enq = runCli(['enqueue', input, '--redis', url, '--queue', QUEUE]);
    expect(enq.stderr).toMatch(new RegExp(`${N} records: ${N} jobs added`));
    expect(enq.code).toBe(0);

    const events = new QueueEvents(QUEUE, { connection: { url } });
    await events.waitUntilReady();
    let stalled = 0;
    events.on('stalled', () => stalled++);
    const queue = new Queue(QUEUE, { connection: { url } });
    try {
      startWorker('A');
      startWorker('B');
      await until('both workers ready', async () => /ready/.test(workers.A.stderr) && /ready/.test(workers.B.stderr));
      // kill A while it holds jobs, a fifth of the way in
      const heldByA = await until('A to be busy a fifth of the way in', async () => {
        if ((await redis.hlen(keys.results)) < N / 5) return null;
        const active = await queue.getActive();
        const mine = active.filter((j) => j.processedBy === 'A');
        return mine.length > 0 ? mine : null;
      }, 60000, 10);
      workers.A.proc.kill('SIGKILL');
      expect(await workers.A.exit).toBe(null);
      expect(heldByA.length).toBeGreaterThan(0);

      // B takes over A's jobs once their locks expire
      await until('every result', async () => {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
        return (await redis.hlen(keys.results)) === N && counts.waiting + counts.active + counts.delayed === 0;
      }, 90000, 200);
      expect(stalled).toBeGreaterThan(0);

      // exactly once: one hash field and one stream entry per record, each the scorer's own output
      const all = await redis.hgetall(keys.results);
      expect(Object.keys(all).length).toBe(N);
      for (const [k, v] of expected) expect(all[k], k).toBe(v);
      const stream = await redis.xrange(keys.stream, '-', '+');
      expect(stream.length).toBe(N);
      const streamIds = stream.map(([, fields]) => fields[fields.indexOf('id') + 1]);
      expect(new Set(streamIds).size).toBe(N);
      expect(new Set(streamIds)).toEqual(new Set(expected.keys()));
      for (const j of heldByA) expect(all[(j.data as { key: string }).key]).toBeDefined();
      expect(Number(await redis.hget(keys.stats, 'written'))).toBe(N);
      // jobs that ran twice (A wrote the result, then died before BullMQ marked the job done) wrote nothing
      console.info(`bullmq: ${heldByA.length} jobs held by the killed worker, ${stalled} stalled and re-run, ${Number((await redis.hget(keys.stats, 'duplicate')) ?? 0)} duplicate result writes ignored`);
      expect(await queue.getFailedCount()).toBe(0);

      // collected in input order: the file raqib score writes (exit 1: some records are error records)
      const out = join(dir, 'collected.jsonl');
      const col = runCli(['enqueue', input, '--redis', url, '--queue', QUEUE, '--collect', '--out', out, '--timeout', '10000']);
      expect(col.stderr).toBe('');
      expect(col.code).toBe(1);
      expect(readFileSync(out, 'utf8')).toBe(expectedFile);

      // enqueueing again adds nothing and writes nothing
      const again = runCli(['enqueue', input, '--redis', url, '--queue', QUEUE, '--wait', '--out', join(dir, 'again.jsonl')]);
      expect(again.stderr).toMatch(new RegExp(`${N} records: 0 jobs added, ${N} already scored`));
      expect(readFileSync(join(dir, 'again.jsonl'), 'utf8')).toBe(expectedFile);
      expect(await redis.hlen(keys.results)).toBe(N);
      expect(await redis.xlen(keys.stream)).toBe(N);
    } finally {
      await queue.close();
      await events.close();
    }
  }, 180000);

  it('retries a job that keeps failing, then lists it as a dead letter', async () => {
    const queue = new Queue(QUEUE, { connection: { url } });
    try {
      await queue.add('score', { not: 'a record job' }, { jobId: 'bogus-1', attempts: 2, backoff: { type: 'fixed', delay: 50 }, removeOnFail: false });
      await until('the bogus job to be failed', async () => (await queue.getFailedCount()) === 1, 30000, 100);
      const listed = runCli(['enqueue', '--redis', url, '--queue', QUEUE, '--list-failed']);
      expect(listed.code).toBe(1);
      const dead = listed.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ job_id: 'bogus-1', attempts_made: 2, attempts: 2 });
      expect(dead[0].failed_reason).toMatch(/not a raqib record job/);
      expect(jobIdFor('0xabc:12')).toBe('r_0xabc%3A12');
    } finally {
      await queue.close();
    }
  }, 60000);

  it('a worker stops cleanly on SIGTERM', async () => {
    workers.B.proc.kill('SIGTERM');
    expect(await workers.B.exit).toBe(0);
    expect(workers.B.stderr).toMatch(/stopped: \d+ results written, \d+ already there/);
  }, 30000);
});
