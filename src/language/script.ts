/**
 * Which writing systems a string uses, counted over letters only. Scripts are ISO 15924 codes.
 */
const SCRIPTS: Array<[string, RegExp]> = [
  ['Latn', /\p{Script=Latin}/u],
  ['Arab', /\p{Script=Arabic}/u],
  ['Cyrl', /\p{Script=Cyrillic}/u],
  ['Hebr', /\p{Script=Hebrew}/u],
  ['Deva', /\p{Script=Devanagari}/u],
  ['Beng', /\p{Script=Bengali}/u],
  ['Hang', /\p{Script=Hangul}/u],
  ['Hira', /\p{Script=Hiragana}/u],
  ['Kana', /\p{Script=Katakana}/u],
  ['Hani', /\p{Script=Han}/u],
  ['Grek', /\p{Script=Greek}/u],
  ['Thai', /\p{Script=Thai}/u],
  ['Ethi', /\p{Script=Ethiopic}/u],
  ['Geor', /\p{Script=Georgian}/u],
  ['Armn', /\p{Script=Armenian}/u],
  ['Taml', /\p{Script=Tamil}/u],
  ['Guru', /\p{Script=Gurmukhi}/u],
  ['Syrc', /\p{Script=Syriac}/u],
  ['Thaa', /\p{Script=Thaana}/u],
];

const LETTER = /\p{L}/u;

export interface ScriptRun {
  script: string;
  start: number;
  end: number;
  letters: number;
}

export function scriptOf(ch: string): string | null {
  if (!LETTER.test(ch)) return null;
  const c = ch.codePointAt(0)!;
  if (c < 0x250) return 'Latn';
  if (c >= 0x0600 && c <= 0x06ff) return 'Arab';
  if (c >= 0x0400 && c <= 0x04ff) return 'Cyrl';
  for (const [name, re] of SCRIPTS) if (re.test(ch)) return name;
  return 'Zyyy';
}

/** Letter counts per script. */
export function scriptCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const ch of text) {
    const s = scriptOf(ch);
    if (s) counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return counts;
}

/**
 * Splits text into runs of one script, each from its first letter to its last; characters without a
 * script (spaces, digits, punctuation, emoji) between two runs belong to neither.
 */
export function scriptRuns(text: string): ScriptRun[] {
  const runs: ScriptRun[] = [];
  let cur: ScriptRun | null = null;
  let i = 0;
  for (const ch of text) {
    const s = scriptOf(ch);
    if (s) {
      if (cur && cur.script === s) cur.letters++;
      else {
        cur = { script: s, start: i, end: i + ch.length, letters: 1 };
        runs.push(cur);
      }
      cur.end = i + ch.length;
    }
    i += ch.length;
  }
  return runs;
}

/** Japanese is written with Han plus kana; Chinese with Han alone. */
export function dominantScript(counts: Map<string, number>): string | null {
  let best: string | null = null;
  let n = 0;
  for (const [s, c] of counts) {
    if (c > n) {
      best = s;
      n = c;
    }
  }
  return best;
}
