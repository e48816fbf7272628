import { MappedBuilder, type MappedText } from './mapped-text.js';
import { rewriteTokens } from './tokens.js';

/**
 * Undoes separators placed inside words to dodge filters: `D.a.e.s.h`, `d-a-e-s-h`, `d a e s h`,
 * `د ا ع ش`. Underscores become spaces, so `#الدولة_الإسلامية` reads as two words.
 */
const INNER = /^(\p{L}\p{M}*[.\-_*·•'’~+]){2,}\p{L}\p{M}*$/u;

export function joinSeparatedLetters(m: MappedText): MappedText {
  const dotted = rewriteTokens(m, (token) => {
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

/** Runs of three or more single letters separated by single spaces are joined into one word. */
function joinSpacedLetters(m: MappedText): MappedText {
  const t = m.text;
  const re = /(?<![\p{L}\p{M}])\p{L}\p{M}*(?: \p{L}\p{M}*(?![\p{L}\p{M}])){2,}/gu;
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
  if (!t.includes('#')) return m;
  const b = new MappedBuilder(m.originalLength);
  let inTag = false;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i];
    if (ch === '#') inTag = true;
    else if (!/[\p{L}\p{N}_]/u.test(ch)) inTag = false;
    else if (inTag && i > 0 && /\p{Ll}/u.test(t[i - 1]) && /\p{Lu}/u.test(ch)) b.push(' ', m.starts[i], m.starts[i]);
    b.copy(m, i, i + 1);
  }
  return b.build();
}
