/**
 * Grid search of the combined detector's weights per script on ../shared/datasets/langid (the
 * visible half of the Lingua test strings). Prints the best weights by macro accuracy over the three
 * buckets; they go into DEFAULT_WEIGHTS by hand, so every change is a reviewed commit.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { arabicScriptCues, arabicScriptEvidence } from '../src/language/arabic-script.js';
import { loadVoters } from '../src/language/detectors.js';
import { ARABIC_LANGS, LATIN_LANGS, collectVotes, combineVotes, type DetectorWeights, type Votes } from '../src/language/detect.js';
import { stripNonLinguistic } from '../src/language/nonlinguistic.js';
import { latinOrthographyCues } from '../src/language/orthography.js';
import { lightNormalize } from '../src/normalize/pipeline.js';

const dataDir = resolve(process.argv[2] ?? join(process.cwd(), '..', 'shared', 'datasets', 'langid'));
if (!existsSync(dataDir)) {
  console.log(`tune-lang skipped: no data at ${dataDir}`);
  process.exit(0);
}
const voters = await loadVoters();
const groups: Record<'Latn' | 'Arab', readonly string[]> = { Latn: LATIN_LANGS.filter((l) => l !== 'ha'), Arab: ARABIC_LANGS.filter((l) => l !== 'ps') };
for (const [script, langs] of Object.entries(groups) as Array<['Latn' | 'Arab', readonly string[]]>) {
  const cand = script === 'Latn' ? LATIN_LANGS : ARABIC_LANGS;
  const items: Array<{ lang: string; bucket: string; votes: Votes }> = [];
  for (const lang of langs) {
    for (const bucket of ['single-words', 'word-pairs', 'sentences']) {
      const lines = readFileSync(join(dataDir, lang, `${bucket}.txt`), 'utf8').split('\n').filter((l) => l.trim()).slice(0, 500);
      for (const l of lines) {
        const clean = stripNonLinguistic(lightNormalize(l).text);
        const cues = script === 'Latn' ? latinOrthographyCues(clean) : arabicScriptEvidence(arabicScriptCues(clean));
        const votes = collectVotes(voters, clean, cand, cues);
        votes.franc(); // precompute once
        items.push({ lang, bucket, votes });
      }
    }
  }
  let best: { acc: number; w: DetectorWeights } | null = null;
  for (const eldW of [0.8, 1.2, 1.6, 2.2])
    for (const franc of [0.3, 0.6, 1.0, 1.5, 2.0])
      for (const fw of [0.3, 0.6, 1.0, 1.5, 2.5])
        for (const cues of [0.25, 0.5, 1, 1.5, 2.5])
          for (const gate of [0.35, 0.5, 0.6, 0.7]) {
            const w: DetectorWeights = { fastText: 1, eld: eldW, franc, functionWords: fw, cues, francGate: gate };
            const acc = macro(items, w);
            if (!best || acc > best.acc) best = { acc, w };
          }
  console.log(script, JSON.stringify(best));
}

function macro(items: Array<{ lang: string; bucket: string; votes: Votes }>, w: DetectorWeights): number {
  const ok = new Map<string, [number, number]>();
  for (const it of items) {
    const score = combineVotes(it.votes, w);
    let top = '';
    let v = -Infinity;
    for (const [k, x] of score) if (x > v) [top, v] = [k, x];
    const key = `${it.lang}/${it.bucket}`;
    const cur = ok.get(key) ?? [0, 0];
    cur[1]++;
    if (top === it.lang) cur[0]++;
    ok.set(key, cur);
  }
  let s = 0;
  for (const [a, n] of ok.values()) s += a / n;
  return s / ok.size;
}
