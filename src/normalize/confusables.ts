import { createRequire } from 'node:module';
import { LATIN, LETTER, rewriteTokens } from './tokens.js';
import type { MappedText } from './mapped-text.js';

/**
 * Homoglyph folding with the confusables table of `unhomoglyph` (Unicode's confusables.txt). Only
 * characters whose skeleton is plain ASCII letters are used, and only inside tokens that are
 * Latin-looking: a Latin word with Cyrillic/Greek letters slipped in (`ISIЅ`), or a token made
 * entirely of look-alikes. Real Russian or Greek words keep their letters.
 */
const require = createRequire(import.meta.url);
const table: Record<string, string> = require('unhomoglyph/data.json');

const TO_ASCII = new Map<string, string>();
for (const [from, to] of Object.entries(table)) {
  if (/^[A-Za-z]+$/.test(to) && !/^[\x00-\x7f]$/.test(from) && !/\p{Script=Arabic}/u.test(from)) {
    TO_ASCII.set(from, to.toLowerCase());
  }
}
// unhomoglyph maps lowercase l/I to each other's skeleton; keep the ones a reader sees.
TO_ASCII.set('\u0131', 'i'); // dotless ı looks like i in evasion (Turkish words are matched on their own)

/**
 * The other direction: Latin letters slipped into a Cyrillic word (`Дaиш` with a Latin a). Built from
 * the same table: Cyrillic letters whose skeleton is a single Latin letter.
 */
const TO_CYRILLIC = new Map<string, string>();
for (const [from, to] of Object.entries(table)) {
  if (/^\p{Script=Cyrillic}$/u.test(from) && /^[a-z]$/.test(to) && from === from.toLowerCase() && !TO_CYRILLIC.has(to)) TO_CYRILLIC.set(to, from);
}
const CYRILLIC = /\p{Script=Cyrillic}/u;

export function foldConfusables(m: MappedText): MappedText {
  // look-alikes are non-ASCII letters outside the Arabic block
  if (!/[^\x00-\x7f\u0600-\u08ff\s]/.test(m.text)) return m;
  return rewriteTokens(m, (token) => {
    const cyr = latinInCyrillic(token);
    if (cyr) return cyr;
    const chars = Array.from(token);
    let latin = 0;
    let foreignLetters = 0;
    let mappable = 0;
    for (const ch of chars) {
      if (!LETTER.test(ch)) continue;
      if (LATIN.test(ch) && ch.charCodeAt(0) < 0x250) latin++;
      else {
        foreignLetters++;
        if (TO_ASCII.has(ch)) mappable++;
      }
    }
    if (foreignLetters === 0 || mappable === 0) return null;
    // mixed Latin + look-alikes, or every letter a look-alike of a Latin letter
    if (latin === 0 && mappable < foreignLetters) return null;
    if (latin === 0 && foreignLetters < 3) return null;
    const out: string[] = [];
    for (const ch of chars) {
      const r = TO_ASCII.get(ch);
      const repl = r !== undefined && (latin > 0 || mappable === foreignLetters) ? r : ch;
      out.push(repl);
      if (ch.length === 2) out.push('');
    }
    return out;
  });
}

function latinInCyrillic(token: string): string[] | null {
  let cyr = 0;
  let latin = 0;
  for (const ch of token) {
    if (CYRILLIC.test(ch)) cyr++;
    else if (/[a-z]/i.test(ch)) latin++;
  }
  if (cyr === 0 || latin === 0 || latin > cyr) return null;
  const out: string[] = [];
  for (const ch of token) {
    const low = ch.toLowerCase();
    if (!/[a-z]/i.test(ch)) out.push(ch);
    else {
      const c = TO_CYRILLIC.get(low);
      if (!c) return null;
      out.push(c);
    }
  }
  return out;
}
