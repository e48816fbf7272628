import { mapCodePoints, type MappedText } from './mapped-text.js';

/**
 * Lower case, code point by code point. Turkish dotted capital I becomes plain i (not i + U+0307),
 * so that IŞİD and işid match the same lexicon term.
 */
export function lowerCase(m: MappedText): MappedText {
  return mapCodePoints(m, (cp) => (cp === '\u0130' ? 'i' : cp.toLowerCase()));
}
