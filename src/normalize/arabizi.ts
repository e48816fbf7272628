import { rewriteTokens } from './tokens.js';
import type { MappedText } from './mapped-text.js';

/**
 * Arabizi (Arabic chat alphabet): digits stand for Arabic letters with no Latin equivalent. This
 * builds the transliteration view used to match Arabizi lexicon terms: 3→a ('ayn), 7→h, 5→kh, 2→''
 * (hamza), 9→q, 6→t, 8→gh. Applied only to Latin tokens that mix letters and those digits.
 */
const DIGITS: Record<string, string> = { '2': '', '3': 'a', '5': 'kh', '6': 't', '7': 'h', '8': 'gh', '9': 'q' };

export function looksArabiziToken(token: string): boolean {
  return /[a-z]/i.test(token) && /[a-z][235679]|[235679][a-z]/i.test(token) && !/^0x/i.test(token);
}

export function hasArabiziTokens(s: string): boolean {
  return /[a-z][235679]|[235679][a-z]/i.test(s);
}

export function arabiziView(m: MappedText): MappedText {
  return rewriteTokens(m, (token) => {
    if (!looksArabiziToken(token)) return null;
    return Array.from(token, (ch) => DIGITS[ch] ?? ch);
  });
}
