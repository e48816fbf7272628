import { rewriteTokens } from './tokens.js';
import type { MappedText } from './mapped-text.js';

/**
 * Leetspeak decoding inside tokens that mix letters with digit/symbol substitutes (1S1S, d@wla,
 * j1h4d). Tokens without letters (years, prices), @handles, wallet-like hex strings and URLs are left alone,
 * as are leading # $ (hashtags, tickers) and trailing punctuation.
 */
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', '$': 's', '!': 'i', '|': 'l', '€': 'e' };
const LETTER_RE = /\p{L}/u;

export function decodeLeetspeak(m: MappedText): MappedText {
  if (!/\p{L}[0-9@$!|€]|[0-9@$!|€]\p{L}/u.test(m.text)) return m;
  return rewriteTokens(m, (token) => {
    if (!LETTER_RE.test(token)) return null;
    if (/^0x[0-9a-f]+/i.test(token) || token.startsWith('@') || token.includes('://') || /^www\./i.test(token)) return null;
    let lo = 0;
    let hi = token.length;
    while (lo < hi && /[@#$"'(\[«“‘¿¡]/.test(token[lo])) lo++;
    while (hi > lo && /[!.,:;?"')\]»”’…]/.test(token[hi - 1])) hi--;
    let hasLeet = false;
    for (let k = lo; k < hi; k++) if (LEET[token[k]] !== undefined) hasLeet = true;
    if (!hasLeet) return null;
    // a leet character counts only when the token core also has a letter next to digits/symbols
    const core = token.slice(lo, hi);
    if (!LETTER_RE.test(core) || /^\d+(st|nd|rd|th|s|k|m|x|px|am|pm)?$/i.test(core)) return null;
    const out = Array.from(token, (ch) => ch);
    for (let k = lo; k < hi; k++) {
      const r = LEET[token[k]];
      if (r !== undefined) out[k] = r;
    }
    return out;
  });
}
