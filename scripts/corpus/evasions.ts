/**
 * Evasion tricks as pure string functions (seeded randomness passed in), used by scripts/augment to
 * make adversarial copies of corpus records. Each returns null when it does not apply to the text.
 */
export type Rng = () => number;
export type Trick = (text: string, rnd: Rng) => string | null;

const ARABIC_LETTER = /[\u0621-\u064A\u0671-\u06D3]/;
const pickIndexes = (n: number, k: number, rnd: Rng) => {
  const idx = new Set<number>();
  for (let i = 0; i < k * 3 && idx.size < Math.min(k, n); i++) idx.add(Math.floor(rnd() * n));
  return idx;
};

/** Applies `f` to one to three of the text's words that satisfy `ok`. */
function someWords(text: string, rnd: Rng, ok: (w: string) => boolean, f: (w: string) => string, k = 2): string | null {
  const parts = text.split(/(\s+)/);
  const cand = parts.map((w, i) => [w, i] as const).filter(([w]) => ok(w));
  if (cand.length === 0) return null;
  for (const j of pickIndexes(cand.length, k, rnd)) parts[cand[j][1]] = f(cand[j][0]);
  const out = parts.join('');
  return out === text ? null : out;
}

const arabicWord = (w: string) => [...w].filter((c) => ARABIC_LETTER.test(c)).length >= 3;
const latinWord = (w: string) => /^[\p{Script=Latin}'’-]{4,}[.,!?:;]?$/u.test(w);
const anyWord = (w: string) => [...w].filter((c) => /\p{L}/u.test(c)).length >= 4;

// letters that join to the next one (tatweel can follow them)
const JOINING = /[بتثجحخسشصضطظعغفقكلمنهيئ]/;

export const TRICKS: Record<string, { scripts: string[]; apply: Trick }> = {
  tatweel: {
    scripts: ['Arab'],
    apply: (t, rnd) => someWords(t, rnd, arabicWord, (w) => [...w].map((c, i, a) => (JOINING.test(c) && i < a.length - 1 && rnd() < 0.5 ? c + '\u0640'.repeat(1 + Math.floor(rnd() * 4)) : c)).join('')),
  },
  harakat: {
    scripts: ['Arab'],
    apply: (t, rnd) => someWords(t, rnd, arabicWord, (w) => [...w].map((c) => (ARABIC_LETTER.test(c) && rnd() < 0.6 ? c + '\u064E\u0650\u064F\u0651\u0652'[Math.floor(rnd() * 5)] : c)).join(''), 3),
  },
  letter_swap: {
    scripts: ['Arab'],
    apply: (t) => {
      const out = t.replace(/ة(?=\s|$|[.,!؟،])/g, 'ه').replace(/ى(?=\s|$)/g, 'ي').replace(/[أإآ]/g, 'ا');
      return out === t ? null : out;
    },
  },
  undotted: {
    scripts: ['Arab'],
    apply: (t, rnd) => someWords(t, rnd, arabicWord, (w) => w.replace(/ب/g, 'ٮ').replace(/ق/g, 'ٯ').replace(/ف/g, 'ڡ').replace(/ن(?=\s|$)/g, 'ں')),
  },
  persian_letters: {
    scripts: ['Arab'],
    apply: (t) => {
      const out = t.replace(/ي/g, 'ی').replace(/ك/g, 'ک');
      return out === t ? null : out;
    },
  },
  zero_width: {
    scripts: ['Arab', 'Latn', 'Cyrl'],
    apply: (t, rnd) => someWords(t, rnd, anyWord, (w) => {
      const cs = [...w];
      const at = 1 + Math.floor(rnd() * (cs.length - 1));
      return cs.slice(0, at).join('') + '\u200B\u200C\u200D\u2060'[Math.floor(rnd() * 4)] + cs.slice(at).join('');
    }),
  },
  spacing: {
    scripts: ['Arab', 'Latn', 'Cyrl'],
    apply: (t, rnd) => someWords(t, rnd, (w) => anyWord(w) && /^[\p{L}\p{M}]+$/u.test(w), (w) => [...w].join(' '), 1),
  },
  dots: {
    scripts: ['Arab', 'Latn', 'Cyrl'],
    apply: (t, rnd) => someWords(t, rnd, (w) => anyWord(w) && /^[\p{L}\p{M}]+$/u.test(w), (w) => [...w].join('.'), 1),
  },
  leetspeak: {
    scripts: ['Latn'],
    apply: (t, rnd) => {
      const map: Record<string, string[]> = { a: ['4', '@'], e: ['3'], i: ['1', '!'], o: ['0'], s: ['5', '$'], t: ['7'] };
      return someWords(t, rnd, latinWord, (w) => [...w].map((c) => (map[c.toLowerCase()] && rnd() < 0.7 ? map[c.toLowerCase()][Math.floor(rnd() * map[c.toLowerCase()].length)] : c)).join(''), 3);
    },
  },
  homoglyph: {
    scripts: ['Latn', 'Cyrl'],
    apply: (t, rnd) => {
      const toCyr: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', x: 'х', y: 'у', i: 'і', s: 'ѕ', A: 'А', E: 'Е', O: 'О', P: 'Р', C: 'С', H: 'Н', K: 'К', M: 'М', T: 'Т', I: 'І', S: 'Ѕ' };
      const toLat: Record<string, string> = Object.fromEntries(Object.entries(toCyr).map(([k, v]) => [v, k]));
      return someWords(t, rnd, anyWord, (w) => [...w].map((c) => (rnd() < 0.5 ? toCyr[c] ?? toLat[c] ?? c : c)).join(''), 3);
    },
  },
  arabizi: {
    scripts: ['Arab'],
    apply: (t) => {
      if (!/[\u0600-\u06FF]/.test(t)) return null;
      const out = transliterateArabizi(t);
      return out === t ? null : out;
    },
  },
  emoji: {
    scripts: ['Arab', 'Latn', 'Cyrl'],
    apply: (t, rnd) => {
      const swaps: Array<[RegExp, string]> = [
        [/\b(flag|banner|drapeau|flagge|bandera|флаг|bayrak|bendera)\b/giu, '🏴'],
        [/(راية|الراية|رايات)/gu, '🏴'],
        [/\b(lions?|lion|löwen|leones|львы|aslan|singa)\b/giu, '🦁'],
        [/(أسود|الأسود|اسود)/gu, '🦁'],
        [/\b(fire|feu|feuer|fuego|огонь|ateş|api)\b/giu, '🔥'],
        [/\b(money|donate|donation|argent|geld|dinero|деньги|para|uang|wang)\b/giu, '💰'],
        [/\b(knife|couteau|messer|cuchillo|нож|bıçak|pisau)\b/giu, '🔪'],
        [/\b(bomb|bombe|bomba|бомба)\b/giu, '💣'],
      ];
      let out = t;
      for (const [re, e] of swaps) out = out.replace(re, e);
      if (out === t) out = `${t} ${['☝️', '🏴', '🔥', '🦁', '⚔️'][Math.floor(rnd() * 5)]}`;
      return out;
    },
  },
  hashtag: {
    scripts: ['Arab', 'Latn', 'Cyrl'],
    apply: (t, rnd) => {
      const words = t.split(/\s+/).filter((w) => /^[\p{L}\p{M}]{3,}$/u.test(w));
      if (words.length < 2) return null;
      const at = Math.floor(rnd() * (words.length - 1));
      const pair = words.slice(at, at + 2);
      const tag = /\p{Script=Latin}/u.test(pair[0]) ? `#${pair.map((w) => w[0].toUpperCase() + w.slice(1)).join('')}` : `#${pair.join('_')}`;
      return `${t} ${tag}`;
    },
  },
};

const AZ: Record<string, string> = {
  'ا': 'a', 'أ': 'a', 'إ': 'e', 'آ': 'aa', 'ء': '2', 'ؤ': '2', 'ئ': '2', 'ب': 'b', 'ت': 't', 'ث': 'th', 'ج': 'j', 'ح': '7', 'خ': '5', 'د': 'd', 'ذ': 'th', 'ر': 'r', 'ز': 'z', 'س': 's', 'ش': 'sh', 'ص': '9', 'ض': 'd', 'ط': '6', 'ظ': 'z', 'ع': '3', 'غ': 'gh', 'ف': 'f', 'ق': 'q', 'ك': 'k', 'ل': 'l', 'م': 'm', 'ن': 'n', 'ه': 'h', 'و': 'w', 'ي': 'y', 'ى': 'a', 'ة': 'a', 'ـ': '', '،': ',', '؟': '?', '؛': ';',
};

/** A rough Arabic → Arabizi transliteration (chat-alphabet style): vowels are mostly not written in Arabic, so neither here. */
export function transliterateArabizi(t: string): string {
  return [...t.replace(/[\u064B-\u0652]/g, '')]
    .map((c) => AZ[c] ?? c)
    .join('')
    .replace(/\bal/g, 'el');
}
