import { MappedBuilder, type MappedText } from './mapped-text.js';

/**
 * Rewrites whitespace-separated tokens. `fn` receives a token's text and returns either null (keep)
 * or a replacement given as one string per original unit of the token (same length as the token),
 * so that every replacement character keeps the range of the unit it replaces.
 */
export function rewriteTokens(m: MappedText, fn: (token: string) => string[] | null): MappedText {
  const t = m.text;
  let b: MappedBuilder | null = null;
  // text before `done` is already in the builder; unchanged tokens are copied lazily in one run
  let done = 0;
  const re = /\S+/gu;
  let tok: RegExpExecArray | null;
  while ((tok = re.exec(t)) !== null) {
    const out = fn(tok[0]);
    if (out === null) continue;
    b ??= new MappedBuilder(m.originalLength, t.length + 8);
    b.copy(m, done, tok.index);
    for (let k = 0; k < out.length; k++) b.push(out[k], m.starts[tok.index + k], m.ends[tok.index + k]);
    done = tok.index + tok[0].length;
  }
  if (!b) return m;
  b.copy(m, done, t.length);
  return b.build();
}

export const LETTER = /\p{L}/u;
export const LATIN = /\p{Script=Latin}/u;
