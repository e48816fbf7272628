/**
 * npm run bench — raqib end to end as a user runs it: `raqib score FILE > out` on generated records
 * shaped like data/samples (title, description, attributes, caption; fixed seed), once with the
 * shipped model (the default), once with its transformer in a thread of its own (`--model-thread`), and
 * once with lexicons only (`--no-model`). Each run is its own process,
 * so the figures include start-up, reading, scoring and writing JSONL:
 *   - cold start: from spawning the process to its first output line;
 *   - records/s: records after the first output line over the time they took;
 *   - peak RSS: the child's VmHWM from /proc (Linux), read until it exits.
 * Targets (issues 2 and 5): lexicons ≥ 5,000 records/s; default model ≥ 1,000 records/s, cold start
 * < 1 s, peak RSS < 400 MB. The machine is shared: run it twice and read the better figure with care.
 *
 *   npm run bench [-- N]        (N records, default 10,000)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';
import { generateRecords } from './generate-records.js';

const n = Number(process.argv[2] ?? 10000);
const dir = mkdtempSync(join(tmpdir(), 'raqib-bench-'));
const input = join(dir, 'records.jsonl');
writeFileSync(input, generateRecords(n, 42).map((r) => JSON.stringify(r)).join('\n') + '\n');
const cli = join(packageRoot(), 'bin', 'raqib.js');

interface Run {
  mode: string;
  records: number;
  flagged: number;
  cold_start_to_first_result_ms: number;
  records_per_second: number;
  peak_rss_mb: number | null;
}

/** Peak resident set of a live process (kB → MB), or null where /proc is not there. */
function peakRss(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

function run(mode: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, 'score', input, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let first = 0;
    let lines = 0;
    let flagged = 0;
    let rest = '';
    let rss: number | null = null;
    const poll = setInterval(() => (rss = peakRss(child.pid!) ?? rss), 50);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (!first) first = performance.now();
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      for (const l of parts) {
        lines++;
        if (l.includes('"flagged":true')) flagged++;
      }
    });
    // VmHWM is read one last time when stdout closes, just before the process is gone
    child.stdout.on('end', () => (rss = peakRss(child.pid!) ?? rss));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      const end = performance.now();
      if (code !== 0) return reject(new Error(`raqib score ${args.join(' ')} exited with ${code}`));
      resolve({
        mode,
        records: lines,
        flagged,
        cold_start_to_first_result_ms: Math.round(first - t0),
        records_per_second: Math.round((lines - 1) / ((end - first) / 1000)),
        peak_rss_mb: rss,
      });
    });
  });
}

try {
  const results = [
    await run('default (shipped model + lexicons)', []),
    await run('default model, transformer in a thread of its own (--model-thread)', ['--model-thread']),
    await run('lexicons only (--no-model)', ['--no-model']),
  ];
  console.log(JSON.stringify({ input: `${n} generated records (scripts/generate-records.ts, seed 42)`, results }, null, 1));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
