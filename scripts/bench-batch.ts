/**
 * npm run bench:batch — `raqib score` at scale: records/s and memory on a generated JSONL file
 * (default 1,000,000 records, fixed seed), once per worker count. The file is written to a temporary
 * directory, streamed (never held in memory) and deleted afterwards; nothing is committed.
 *
 *   node dist/scripts/bench-batch.js [--records N] [--workers 1,2] [--model DIR|shipped] [--keep]
 *
 * Lexicons only unless --model names a model directory (`shipped`: models/raqib-small). For each run:
 * wall time, records/s, CPU seconds, peak RSS of the whole process (all threads; the kernel's VmHWM),
 * and the RSS curve: RSS when 10 %, 50 %, 90 % and 100 % of the output is written, with the growth
 * from 10 % to 100 % — flat memory means those stay level (after warm-up) while the output grows to
 * gigabytes. RSS is sampled every 250 ms. The load average is printed too: on a shared machine other
 * processes take cores and records/s drops.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/paths.js';
import { generateRecords } from './generate-records.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    workers: { type: 'string', default: '1,2' },
    keep: { type: 'boolean', default: false },
    model: { type: 'string' },
  },
});
const modelArgs = values.model === undefined ? ['--no-model'] : values.model === 'shipped' ? [] : ['--model', values.model];
const n = Number(values.records);
const workerCounts = values.workers!.split(',').map(Number);
const dir = mkdtempSync(join(tmpdir(), 'raqib-bench-batch-'));
const input = join(dir, 'records.jsonl');

/** generateRecords in blocks of 10,000 with their own seeds, renumbered: any n, constant memory. */
async function writeRecords(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  const block = 10000;
  for (let b = 0; b * block < count; b++) {
    const recs = generateRecords(Math.min(block, count - b * block), 42 + b);
    let s = '';
    for (let i = 0; i < recs.length; i++) {
      recs[i].id = `bench-${b * block + i}`;
      s += `${JSON.stringify(recs[i])}\n`;
    }
    if (!out.write(s)) await once(out, 'drain');
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

async function countLines(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path)) {
    const b = chunk as Buffer;
    for (let i = b.indexOf(0x0a); i !== -1; i = b.indexOf(0x0a, i + 1)) lines++;
  }
  return lines;
}

function procStatus(pid: number): { rss: number; hwm: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

function cpuSeconds(pid: number): number | null {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

interface Sample {
  t: number;
  rss: number;
  bytes: number;
}

async function run(workers: number): Promise<Record<string, unknown>> {
  const out = join(dir, `out-${workers}.jsonl`);
  const cli = join(packageRoot(), 'dist', 'src', 'cli', 'batch.js');
  const args = [cli, 'score', input, '--out', out, '--workers', String(workers), ...modelArgs];
  const load = loadavg()[0];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const samples: Sample[] = [];
  let hwm = 0;
  let cpu = 0;
  const timer = setInterval(() => {
    const st = procStatus(child.pid!);
    if (!st || st.rss === 0) return; // gone, or a zombie without memory
    hwm = Math.max(hwm, st.hwm);
    cpu = cpuSeconds(child.pid!) ?? cpu;
    let bytes = 0;
    try {
      bytes = statSync(out).size;
    } catch {
      /* not yet created */
    }
    samples.push({ t: (performance.now() - t0) / 1000, rss: st.rss, bytes });
  }, 250);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(timer);
  const secs = (performance.now() - t0) / 1000;
  const lines = await countLines(out);
  const total = statSync(out).size;
  const at = (frac: number) => {
    const s = samples.find((x) => x.bytes >= frac * total) ?? samples[samples.length - 1];
    return s ? Math.round(s.rss) : null;
  };
  const curve = { '10%': at(0.1), '50%': at(0.5), '90%': at(0.9), '100%': at(0.999) };
  rmSync(out);
  return {
    workers,
    exit_code: code,
    records_in: n,
    lines_out: lines,
    seconds: Number(secs.toFixed(1)),
    records_per_second: Math.round(n / secs),
    cpu_seconds: cpu,
    peak_rss_mb: Math.round(hwm),
    rss_mb_as_output_grows: curve,
    // after warm-up (10 % of the output) to the end: ≈ 0 when memory is flat
    rss_growth_10_to_100_mb: curve['10%'] !== null && curve['100%'] !== null ? curve['100%'] - curve['10%'] : null,
    rss_samples: samples.length,
    output_gb: Number((total / 1e9).toFixed(2)),
    load_average_at_start: Number(load.toFixed(2)),
  };
}

try {
  const tg = performance.now();
  await writeRecords(input, n);
  process.stderr.write(`bench-batch: ${n} records, ${(statSync(input).size / 1e6).toFixed(0)} MB, written in ${((performance.now() - tg) / 1000).toFixed(1)} s\n`);
  const runs = [];
  for (const w of workerCounts) {
    const r = await run(w);
    process.stderr.write(`bench-batch: ${JSON.stringify(r)}\n`);
    runs.push(r);
  }
  console.log(JSON.stringify({ records: n, input_mb: Math.round(statSync(input).size / 1e6), model: values.model ?? false, runs }, null, 1));
} finally {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
  else process.stderr.write(`bench-batch: kept ${dir}\n`);
}
