import type { Indicator, IndicatorType } from '../types.js';

/**
 * Contact and payment indicators: what a moderator follows up on (where the money goes, where the
 * recruits are sent). Extracted from the original field text; offsets are UTF-16 into it.
 */
const RULES: Array<[IndicatorType, RegExp]> = [
  ['telegram', /\b(?:t\.me|telegram\.me|telegram\.dog)\/[A-Za-z0-9_+\/-]{3,}/giu],
  ['url', /\b(?:https?|ipfs|ipns|ar):\/\/[^\s<>"')\]]+/giu],
  ['url', /(?<![@\w.])www\.[^\s<>"')\]]+/giu],
  ['email', /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/gu],
  ['wallet', /\b0x[0-9a-fA-F]{40}\b/gu],
  ['wallet', /\bbc1[02-9ac-hj-np-z]{11,71}\b/gu],
  ['wallet', /\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\b/gu],
  ['wallet', /\bT[1-9A-HJ-NP-Za-km-z]{33}\b/gu],
  ['wallet', /\b[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b/gu],
  ['wallet', /\b[a-z0-9-]{3,}\.eth\b/giu],
  ['handle', /(?<![\w@.])@[A-Za-z0-9_]{3,32}\b(?!\.[A-Za-z]{2,})/gu],
];

export function extractIndicators(text: string, field: string): Indicator[] {
  const out: Indicator[] = [];
  const taken: Array<[number, number]> = [];
  for (const [type, re] of RULES) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      let value = m[0].replace(/[.,;:!?]+$/u, '');
      const start = m.index;
      const end = start + value.length;
      if (taken.some(([s, e]) => start < e && s < end)) continue;
      if (type === 'telegram' && !/^https?:/.test(value)) value = value.toLowerCase();
      taken.push([start, end]);
      out.push({ type, value, field, start, end });
    }
  }
  // a telegram handle named as such ("telegram: @name")
  for (const ind of out) {
    if (ind.type === 'handle' && /telegram|تلغرام|تلگرام|телеграм/iu.test(text.slice(Math.max(0, ind.start - 24), ind.start))) ind.type = 'telegram';
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Canonical form for watch-list comparison: case-insensitive, no scheme, no trailing slash. */
export function canonicalIndicator(value: string): string {
  return value.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/+$/, '');
}
