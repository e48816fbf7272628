/**
 * npm run bench:lang — raqib's language detector against the npm detectors it combines or replaces,
 * on the same real short strings (../shared/datasets/langid: single words, word pairs, sentences for
 * 22 languages; Lingua test data, Leipzig corpora). Prints accuracy per language and bucket, macro
 * averages, and throughput, side by side; --json FILE also writes them.
 */
import { readFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { franc } from 'franc';
import { eld } from 'eld/large';
import { FRANC_TO_ISO1, loadFastText } from '../src/language/detectors.js';
import { LanguageDetector, type LanguageResult } from '../src/language/detect.js';
import { lightNormalize } from '../src/normalize/pipeline.js';

const args = process.argv.slice(2);
const dataDir = resolve(argValue('--data') ?? join(process.cwd(), '..', 'shared', 'datasets', 'langid'));
const limit = Number(argValue('--limit') ?? 500);
const jsonOut = argValue('--json');
const mdOut = argValue('--md');
const buckets = ['single-words', 'word-pairs', 'sentences'] as const;

function argValue(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

if (!existsSync(dataDir)) {
  console.log(`bench:lang skipped: no language-ID test strings at ${dataDir} (pass --data DIR)`);
  process.exit(0);
}

type Detector = { name: string; detect: (s: string) => string };

async function main(): Promise<void> {
  const ft = await loadFastText();
  const raqib = await LanguageDetector.create({ cacheSize: 1 });
  const { loadModule } = await import('cld3-asm');
  const cld = (await loadModule()).create(0, 1000);
  const tinyld = await import('tinyld/heavy');
  const detectors: Detector[] = [
    // the rivals give one label, so a mixed answer is compared by its longest part
    { name: 'raqib', detect: (s) => primary(raqib.detect(lightNormalize(s).text)) },
    { name: 'franc', detect: (s) => FRANC_TO_ISO1[franc(s)] ?? franc(s) },
    { name: 'franc-min1', detect: (s) => FRANC_TO_ISO1[franc(s, { minLength: 1 })] ?? 'und' },
    { name: 'fasttext', detect: (s) => [...ft.predict(s, 1, 0).keys()][0]?.replace('__label__', '') ?? 'und' },
    { name: 'eld', detect: (s) => eld.detect(s).language || 'und' },
    { name: 'cld3', detect: (s) => ({ iw: 'he', 'zh-Latn': 'zh' } as Record<string, string>)[cld.findLanguage(s).language] ?? cld.findLanguage(s).language },
    { name: 'tinyld', detect: (s) => tinyld.detect(s) || 'und' },
  ];
  const langs = readdirSync(dataDir).filter((d) => existsSync(join(dataDir, d, 'sentences.txt'))).sort();
  const results: Record<string, Record<string, Record<string, number>>> = {};
  const speed: Record<string, number> = {};
  const all: Array<{ lang: string; bucket: string; text: string }> = [];
  for (const lang of langs) {
    for (const b of buckets) {
      const lines = readFileSync(join(dataDir, lang, `${b}.txt`), 'utf8').split('\n').filter((l) => l.trim()).slice(0, limit);
      for (const text of lines) all.push({ lang, bucket: b, text });
    }
  }
  for (const d of detectors) {
    const correct: Record<string, Record<string, number>> = {};
    const total: Record<string, Record<string, number>> = {};
    const t0 = performance.now();
    for (const s of all) {
      const got = d.detect(s.text);
      correct[s.bucket] ??= {};
      total[s.bucket] ??= {};
      total[s.bucket][s.lang] = (total[s.bucket][s.lang] ?? 0) + 1;
      if (got === s.lang) correct[s.bucket][s.lang] = (correct[s.bucket][s.lang] ?? 0) + 1;
    }
    speed[d.name] = Math.round(all.length / ((performance.now() - t0) / 1000));
    results[d.name] = {};
    for (const b of buckets) {
      results[d.name][b] = {};
      for (const l of langs) results[d.name][b][l] = (100 * (correct[b]?.[l] ?? 0)) / (total[b]?.[l] ?? 1);
    }
  }
  const names = detectors.map((d) => d.name);
  const pad = (s: string, n = 11) => s.padStart(n);
  for (const b of buckets) {
    console.log(`\n## ${b} (accuracy %, ${limit} strings per language)`);
    console.log(pad('lang', 6) + names.map((n) => pad(n)).join(''));
    for (const l of langs) console.log(pad(l, 6) + names.map((n) => pad(results[n][b][l].toFixed(1))).join(''));
    console.log(pad('macro', 6) + names.map((n) => pad(mean(Object.values(results[n][b])).toFixed(1))).join(''));
  }
  console.log(`\n## throughput (strings/s, one process, ${all.length} strings)`);
  console.log(names.map((n) => `${n}: ${speed[n]}`).join('  '));
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ dataDir, limit, results, speed }, null, 1));
  if (mdOut) writeFileSync(mdOut, markdown(names, langs, results, speed, all.length));
}

function markdown(names: string[], langs: string[], results: Record<string, Record<string, Record<string, number>>>, speed: Record<string, number>, n: number): string {
  const out: string[] = [];
  out.push('## Macro accuracy (%), top-1, per bucket\n');
  out.push(`| bucket | ${names.join(' | ')} |`, `|---|${names.map(() => '---:').join('|')}|`);
  for (const b of buckets) {
    const row = names.map((d) => mean(Object.values(results[d][b])));
    const best = Math.max(...row);
    out.push(`| ${b} | ${row.map((x) => (x === best ? `**${x.toFixed(1)}**` : x.toFixed(1))).join(' | ')} |`);
  }
  out.push(`| strings/s (1 process) | ${names.map((d) => String(speed[d])).join(' | ')} |`);
  for (const b of buckets) {
    out.push(`\n## ${b}: accuracy (%) per language\n`);
    out.push(`| lang | ${names.join(' | ')} |`, `|---|${names.map(() => '---:').join('|')}|`);
    for (const l of langs) out.push(`| ${l} | ${names.map((d) => results[d][b][l].toFixed(1)).join(' | ')} |`);
  }
  out.push(`\n${n} strings (${limit} per language and bucket) from ${dataDir.replace(process.cwd(), '.')}.`);
  return out.join('\n') + '\n';
}

function primary(r: LanguageResult): string {
  if (r.lang !== 'mul' || !r.parts?.length) return r.lang;
  return [...r.parts].sort((a, b) => b.end - b.start - (a.end - a.start))[0].lang;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
