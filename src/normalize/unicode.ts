import { MappedBuilder, type MappedText } from './mapped-text.js';

/**
 * Format controls that carry no letters but break matching and language ID: zero-width space,
 * joiners, bidi embeddings/isolates/marks, word joiner, BOM, soft hyphen, Mongolian vowel separator,
 * tag characters. Emoji ZWJ sequences lose their joiner, which is harmless for matching.
 */
const INVISIBLE = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\u{E0000}-\u{E007F}\u{E0100}-\u{E01EF}]/u;

const COMBINING = /\p{M}/u;

/**
 * NFKC and removal of invisible characters, keeping offsets. NFKC is applied to each base character
 * together with its combining marks, so that composition stays within the cluster and every output
 * unit maps back to the cluster that produced it.
 */
export function nfkcStripInvisibles(m: MappedText): MappedText {
  // printable ASCII is already NFKC and has no invisibles: the common case costs one regex
  if (/^[\x20-\x7e\n\r\t]*$/.test(m.text)) return m;
  // most text is already NFKC and clean: one check each instead of one per character
  if (!INVISIBLE.test(m.text) && m.text.normalize('NFKC') === m.text) return m;
  const b = new MappedBuilder(m.originalLength);
  const t = m.text;
  let i = 0;
  while (i < t.length) {
    const start = i;
    i += codePointWidth(t, i);
    if (INVISIBLE.test(t.slice(start, i))) continue;
    // absorb following combining marks (skipping invisibles between them)
    let clusterEnd = i;
    while (i < t.length) {
      const w = codePointWidth(t, i);
      const cp = t.slice(i, i + w);
      if (INVISIBLE.test(cp)) {
        i += w;
        continue;
      }
      if (!COMBINING.test(cp)) break;
      i += w;
      clusterEnd = i;
    }
    let cluster = '';
    for (let j = start; j < clusterEnd; ) {
      const w = codePointWidth(t, j);
      const cp = t.slice(j, j + w);
      if (!INVISIBLE.test(cp)) cluster += cp;
      j += w;
    }
    const out = cluster.normalize('NFKC');
    if (out === t.slice(start, clusterEnd)) b.copy(m, start, clusterEnd);
    else b.push(out, m.starts[start], m.ends[clusterEnd - 1]);
  }
  return b.build();
}

export function codePointWidth(t: string, i: number): number {
  const c = t.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < t.length ? 2 : 1;
}
