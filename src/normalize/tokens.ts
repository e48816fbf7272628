import { MappedBuilder, type MappedText } from './mapped-text.js';

const SPACE = /\s/u;

/**
 * Rewrites whitespace-separated tokens. `fn` receives a token's text and returns either null (keep)
 * or a replacement given as one string per original unit of the token (same length as the token),
 * so that every replacement character keeps the range of the unit it replaces.
 */
export function rewriteTokens(m: MappedText, fn: (token: string) => string[] | null): MappedText {
  const t = m.text;
  const b = new MappedBuilder(m.originalLength);
  let i = 0;
  let changed = false;
  while (i < t.length) {
    if (SPACE.test(t[i])) {
      let j = i + 1;
      while (j < t.length && SPACE.test(t[j])) j++;
      b.copy(m, i, j);
      i = j;
      continue;
    }
    let j = i + 1;
    while (j < t.length && !SPACE.test(t[j])) j++;
    const out = fn(t.slice(i, j));
    if (out === null) b.copy(m, i, j);
    else {
      changed = true;
      for (let k = 0; k < out.length; k++) b.push(out[k], m.starts[i + k], m.ends[i + k]);
    }
    i = j;
  }
  return changed ? b.build() : m;
}

export const LETTER = /\p{L}/u;
export const LATIN = /\p{Script=Latin}/u;
