import { mapCodePoints, type MappedText } from './mapped-text.js';

/**
 * Hausa's hooked letters (ɓ ɗ ƙ ƴ) are typed as b, d, k and 'y wherever a keyboard lacks them, and
 * both spellings are everywhere online: "ƙungiya" and "kungiya", "ƴan'uwa" and "'yan'uwa". Folding the
 * hooks makes one word of the two for the lexicons and both models, as Arabic folding does for alef
 * and ya forms. (Of the corpus's Hausa records, train uses the hooks in 40 %, test in 75 %.) Runs
 * after lower-casing; the modifier apostrophe ʼ (U+02BC) of careful Hausa spelling becomes '.
 */
const HOOKS: Record<string, string> = { ɓ: 'b', ɗ: 'd', ƙ: 'k', ƴ: "'y", ʼ: "'" };
const ANY_HOOK = /[ɓɗƙƴʼ]/u;

export function foldHausaHooks(m: MappedText): MappedText {
  if (!ANY_HOOK.test(m.text)) return m;
  return mapCodePoints(m, (cp) => HOOKS[cp] ?? cp);
}
