/**
 * OCR benchmark (issue 7): character error rate per language on the committed fixtures
 * (test/fixtures/images, made by scripts/make-ocr-fixtures.py) and on degraded copies of them
 * (half size; JPEG quality 35), then images/s and records/s with OCR on: one reused worker, and a
 * pool of two.
 *
 *   npm run build && node dist/scripts/bench-ocr.js [--grid] [--rounds N] [--workers N] [--languages L] [--json FILE]
 *
 * --grid also measures the choices behind the defaults, one factor at a time: preprocessing
 * (none, greyscale, upscaling small images, reading at two scales, Otsu threshold, inverting dark
 * cards), tesseract languages and their order, page segmentation mode, the word-confidence filter,
 * the traineddata variant and the assumed DPI.
 * Offline: images are handed over as data: URIs; nothing is fetched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { OcrEngine, type OcrEngineOptions } from '../src/ocr/engine.js';
import { DEFAULT_PREPROCESS, NO_PREPROCESS, type PreprocessOptions } from '../src/ocr/image.js';
import { ocrRecord, readImage } from '../src/ocr/index.js';
import { characterErrorRate } from '../src/ocr/text.js';
import { packageRoot } from '../src/paths.js';
import { createScorer } from '../src/scorer.js';

interface Card {
  file: string;
  lang: string;
  text: string;
}
interface Sample extends Card {
  set: 'clean' | 'half' | 'jpeg35';
  bytes: Buffer;
}

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const ROUNDS = Number(value('--rounds', '3'));
const WORKERS = Number(value('--workers', '2'));

const dir = join(packageRoot(), 'test', 'fixtures', 'images');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { cards: Card[] };

async function samples(): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const c of manifest.cards) {
    const bytes = readFileSync(join(dir, c.file));
    const meta = await sharp(bytes).metadata();
    out.push({ ...c, set: 'clean', bytes });
    out.push({ ...c, set: 'half', bytes: await sharp(bytes).resize(Math.round(meta.width! / 2)).png().toBuffer() });
    out.push({ ...c, set: 'jpeg35', bytes: await sharp(bytes).flatten({ background: '#fff' }).jpeg({ quality: 35 }).toBuffer() });
  }
  return out;
}

type Cer = Record<string, { sum: number; n: number }>;
const add = (acc: Cer, key: string, v: number) => {
  acc[key] ??= { sum: 0, n: 0 };
  acc[key].sum += v;
  acc[key].n++;
};
const mean = (acc: Cer, key: string) => (acc[key] ? acc[key].sum / acc[key].n : NaN);
const pct = (x: number) => (Number.isNaN(x) ? '   –  ' : `${(100 * x).toFixed(1).padStart(5)}%`);
const LANGS = ['ar', 'fa', 'ur', 'en', 'mul'];

async function measure(all: Sample[], engineOpts: OcrEngineOptions, pre: PreprocessOptions): Promise<{ bySet: Record<string, Cer>; ms: number; worst: Array<{ s: Sample; cer: number; text: string }> }> {
  const engine = await OcrEngine.create(engineOpts);
  const bySet: Record<string, Cer> = {};
  const worst: Array<{ s: Sample; cer: number; text: string }> = [];
  const t0 = performance.now();
  try {
    for (const s of all) {
      const r = await readImage(s.bytes, engine, pre);
      const cer = characterErrorRate(s.text, r.text);
      add((bySet[s.set] ??= {}), s.lang, cer);
      add(bySet[s.set], 'all', cer);
      add((bySet.any ??= {}), s.lang, cer);
      add(bySet.any, 'all', cer);
      worst.push({ s, cer, text: r.text });
    }
  } finally {
    await engine.terminate();
  }
  worst.sort((a, b) => b.cer - a.cer);
  return { bySet, ms: performance.now() - t0, worst };
}

function row(label: string, acc: Cer, extra = ''): string {
  return `${label.padEnd(34)} ${LANGS.map((l) => pct(mean(acc, l))).join(' ')}  ${pct(mean(acc, 'all'))}${extra}`;
}
const header = () => `${''.padEnd(34)} ${LANGS.map((l) => l.padStart(6)).join(' ')}     all`;

async function grid(all: Sample[]): Promise<void> {
  const base: OcrEngineOptions = {};
  console.log('\n## preprocessing (engine defaults), CER over clean + half + jpeg35');
  console.log(header());
  const grey: PreprocessOptions = { ...NO_PREPROCESS, grayscale: true, multiScaleBelow: 1000 };
  const pres: Array<[string, PreprocessOptions]> = [
    ['none', NO_PREPROCESS],
    ['grey', grey],
    ['grey, 1.5x if <1000px', { ...grey, scales: [1.5] }],
    ['grey, 2x if <1000px', { ...grey, scales: [2] }],
    ['grey, best of 1x/2x if <1000px', { ...grey, scales: [1, 2] }],
    ['grey, best of 1x/1.5x (default)', DEFAULT_PREPROCESS],
    ['grey, best of 1x/1.5x/2x', { ...grey, scales: [1, 1.5, 2] }],
    ['default + Otsu threshold', { ...DEFAULT_PREPROCESS, threshold: true }],
    ['default + invert dark cards', { ...DEFAULT_PREPROCESS, invertDark: true }],
  ];
  for (const [label, pre] of pres) {
    const m = await measure(all, base, pre);
    console.log(row(label, m.bySet.any, `  ${(m.ms / all.length).toFixed(0)} ms/img`));
  }
  console.log('\n## engine (default preprocessing)');
  console.log(header());
  const engines: Array<[string, OcrEngineOptions]> = [
    ['ara+eng', { languages: 'ara+eng' }],
    ['ara+fas+urd+eng', { languages: 'ara+fas+urd+eng' }],
    ['fas+ara+urd+eng (default)', {}],
    ['urd+fas+ara+eng', { languages: 'urd+fas+ara+eng' }],
    ['default, psm 3 (auto)', { pageSegMode: '3' }],
    ['default, psm 11 (sparse)', { pageSegMode: '11' }],
    ['default, all words (conf ≥ 0)', { minWordConfidence: 0 }],
    ['default, words conf ≥ 65', { minWordConfidence: 65 }],
    ['default, legacy traineddata (4.0.0/)', { dataVariant: 'legacy' }],
    ['default, no DPI given (tesseract guesses)', { dpi: 0 }],
  ];
  for (const [label, eo] of engines) {
    const m = await measure(all, eo, DEFAULT_PREPROCESS);
    console.log(row(label, m.bySet.any, `  ${(m.ms / all.length).toFixed(0)} ms/img`));
  }
}

async function throughput(engineOpts: OcrEngineOptions, workers: number, records: Array<Record<string, unknown>>, concurrency: number, score: boolean) {
  const engine = await OcrEngine.create({ ...engineOpts, workers });
  const scorer = score ? await createScorer({ model: false }) : null;
  let images = 0;
  try {
    // one warm-up pass (first recognitions are slower), then the timed rounds
    await Promise.all(records.slice(0, workers).map((r) => ocrRecord(r, { engine })));
    const t0 = performance.now();
    const cpu0 = process.cpuUsage(); // all threads of the process: tesseract workers included
    const queue = Array.from({ length: ROUNDS }, () => records).flat();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < queue.length) {
          const rec = queue[next++];
          const o = await ocrRecord(rec, { engine });
          images++;
          if (scorer) await scorer.score(o.text ? { ...rec, image_ocr: o.text } : rec);
        }
      }),
    );
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { perSecond: images / s, msPer: (1000 * s) / images, cpuMsPer: (cpu.user + cpu.system) / 1000 / images, n: images };
  } finally {
    await engine.terminate();
    await scorer?.close();
  }
}

async function main(): Promise<void> {
  const all = await samples();
  console.log(`# OCR benchmark: ${manifest.cards.length} fixtures × 3 sets (clean, half, jpeg35) = ${all.length} images; ${cpus().length} cores; node ${process.version}`);
  if (flag('--grid')) await grid(all);

  const engineOpts: OcrEngineOptions = value('--languages', '') ? { languages: value('--languages', '') } : {};
  const m = await measure(all, engineOpts, DEFAULT_PREPROCESS);
  console.log(`\n## character error rate, defaults (${engineOpts.languages ?? 'fas+ara+urd+eng'}, psm 6, words with confidence ≥ 50, grey, best of 1×/1.5× below 1000 px)`);
  console.log(header());
  for (const set of ['clean', 'half', 'jpeg35', 'any']) console.log(row(set === 'any' ? 'all three sets' : set, m.bySet[set]));
  console.log('\nworst readings:');
  for (const w of m.worst.slice(0, 5)) console.log(`  ${pct(w.cer)} ${w.s.set.padEnd(6)} ${w.s.file.padEnd(18)} ${JSON.stringify(w.text)}`);

  const records = manifest.cards.map((c, i) => ({ id: `bench-${i}`, name: `card ${i}`, image: `data:image/png;base64,${readFileSync(join(dir, c.file)).toString('base64')}` }));
  console.log(`\n## throughput (ocrRecord on ${records.length} data: URI records × ${ROUNDS} rounds, after one warm-up)`);
  console.log(`(load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores: on a shared machine images/s tracks the load; CPU ms/image does not)`);
  const one = await throughput(engineOpts, 1, records, 1, false);
  console.log(`1 reused worker:            ${one.perSecond.toFixed(1)} images/s (${one.msPer.toFixed(0)} ms/image wall, ${one.cpuMsPer.toFixed(0)} CPU ms/image)`);
  const pool = await throughput(engineOpts, WORKERS, records, WORKERS * 2, false);
  console.log(`${WORKERS} workers (pool):           ${pool.perSecond.toFixed(1)} images/s (${pool.msPer.toFixed(0)} ms/image wall, ${pool.cpuMsPer.toFixed(0)} CPU ms/image)`);
  const scored = await throughput(engineOpts, WORKERS, records, WORKERS * 2, true);
  console.log(`${WORKERS} workers + scoring:        ${scored.perSecond.toFixed(1)} records/s (lexicon scorer; ${scored.cpuMsPer.toFixed(0)} CPU ms/record)`);
  const json = value('--json', '');
  if (json) {
    const cer = Object.fromEntries(Object.entries(m.bySet).map(([set, acc]) => [set, Object.fromEntries(Object.keys(acc).map((k) => [k, Number(mean(acc, k).toFixed(4))]))]));
    writeFileSync(json, `${JSON.stringify({ cer, images_per_s: { one_worker: one.perSecond, pool: pool.perSecond, pool_workers: WORKERS, with_scoring: scored.perSecond }, cpu_ms_per_image: { one_worker: one.cpuMsPer, pool: pool.cpuMsPer }, load_average: loadavg()[0] }, null, 2)}\n`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
