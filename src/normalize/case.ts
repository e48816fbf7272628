import { mapCodePoints, type MappedText } from './mapped-text.js';

/**
 * Lower case, code point by code point. Turkish dotted capital I becomes plain i (not i + U+0307),
 * so that IŞİD and işid match the same lexicon term.
 */
export function lowerCase(m: MappedText): MappedText {
  const lower = m.text.toLowerCase();
  if (lower === m.text) return m;
  // same length and no dotted capital I: unit i of the result is unit i of the input
  if (lower.length === m.text.length && !m.text.includes('\u0130')) return { ...m, text: lower };
  return mapCodePoints(m, (cp) => (cp === '\u0130' ? 'i' : cp.toLowerCase()));
}
