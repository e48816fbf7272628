import { MappedBuilder, type MappedText } from './mapped-text.js';
import { rewriteTokens } from './tokens.js';

/**
 * Undoes separators placed inside words to dodge filters: `D.a.e.s.h`, `d-a-e-s-h`, `d a e s h`,
 * `د ا ع ش`. Underscores become spaces, so `#الدولة_الإسلامية` reads as two words.
 */
const INNER = /^(\p{L}\p{M}*[.\-_*·•'’~+]){2,}\p{L}\p{M}*[.]?$/u;

export function joinSeparatedLetters(m: MappedText): MappedText {
  const dotted = !/\p{L}[.\-_*·•'’~+]\p{L}[.\-_*·•'’~+]\p{L}/u.test(m.text) ? m : rewriteTokens(m, (token) => {
    if (!INNER.test(token)) return null;
    return Array.from(token).map((ch) => (/[.\-_*·•'’~+]/.test(ch) ? '' : ch));
  });
  return joinSpacedLetters(underscoresToSpaces(dotted));
}

function underscoresToSpaces(m: MappedText): MappedText {
  if (!m.text.includes('_')) return m;
  const b = new MappedBuilder(m.originalLength);
  for (let i = 0; i < m.text.length; i++) {
    if (m.text[i] === '_') b.push(' ', m.starts[i], m.ends[i]);
    else b.copy(m, i, i + 1);
  }
  return b.build();
}

/**
 * Runs of three or more single letters (or digits: `1 4 8 8`) separated by single spaces are joined
 * into one word.
 */
function joinSpacedLetters(m: MappedText): MappedText {
  const t = m.text;
  if (!/(?<![\p{L}\p{M}\p{N}])[\p{L}\p{N}]\p{M}* [\p{L}\p{N}]\p{M}* [\p{L}\p{N}]/u.test(t)) return m;
  const re = /(?<![\p{L}\p{M}\p{N}])(?:\p{L}\p{M}*(?: \p{L}\p{M}*(?![\p{L}\p{M}\p{N}])){2,}|\p{N}(?: \p{N}(?![\p{L}\p{M}\p{N}])){2,})/gu;
  let match: RegExpExecArray | null;
  const cuts: number[] = [];
  while ((match = re.exec(t)) !== null) {
    for (let k = 0; k < match[0].length; k++) if (match[0][k] === ' ') cuts.push(match.index + k);
  }
  if (cuts.length === 0) return m;
  const drop = new Set(cuts);
  const b = new MappedBuilder(m.originalLength);
  for (let i = 0; i < t.length; i++) if (!drop.has(i)) b.copy(m, i, i + 1);
  return b.build();
}

/** Splits CamelCase hashtags (#RemainingAndExpanding) before lower-casing erases the cue. */
export function splitHashtagCamelCase(m: MappedText): MappedText {
  const t = m.text;
  if (!/#[\p{L}\p{N}_]*\p{Ll}\p{Lu}/u.test(t)) return m;
  const b = new MappedBuilder(m.originalLength);
  const re = /#[\p{L}\p{N}_]+/gu;
  let done = 0;
  let tag: RegExpExecArray | null;
  while ((tag = re.exec(t)) !== null) {
    for (let i = tag.index + 2; i < tag.index + tag[0].length; i++) {
      if (/\p{Ll}/u.test(t[i - 1]) && /\p{Lu}/u.test(t[i])) {
        b.copy(m, done, i);
        // the inserted space stands at the position of the capital it precedes
        b.push(' ', m.starts[i], m.starts[i]);
        done = i;
      }
    }
  }
  b.copy(m, done, t.length);
  return b.build();
}
