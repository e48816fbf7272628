/**
 * Removes what carries no language: URLs, e-mail addresses, wallet addresses, @handles, hashtags,
 * numbers, emoji and symbols. What remains is what language ID should read; if nothing remains the
 * field is `und`.
 */
const PATTERNS: RegExp[] = [
  /\b(?:https?|ipfs|ipns|ar):\/\/\S+/giu,
  /\bwww\.\S+/giu,
  /\b[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[a-z]{2,}\b/giu,
  /\b0x[0-9a-f]{6,}\b/giu,
  /\b(?:bc1|[13])[a-km-zA-HJ-NP-Z1-9]{25,62}\b/gu,
  /\bT[1-9A-HJ-NP-Za-km-z]{33}\b/gu,
  /(?<![\p{L}\p{N}])@[\p{L}\p{N}_.]{2,}/gu,
  /(?<![\p{L}\p{N}])#[\p{L}\p{N}_\p{M}]+/gu,
  /\b[a-z0-9-]+\.(?:com|org|net|io|xyz|me|eth|app|invalid|example)\b\S*/giu,
];

/** URLs, addresses, handles and hashtags removed; digits kept (Arabizi writes letters with them). */
/** The patterns as one alternation: one pass over the text instead of nine. */
const ANY = new RegExp(PATTERNS.map((re) => `(?:${re.source})`).join('|'), 'giu');
const MAYBE = /:\/\/|www\.|@|#|0x|\.(?:com|org|net|io|xyz|me|eth|app|invalid|example)\b|[A-Za-z0-9]{25}/i;

export function stripIndicators(text: string): string {
  // every pattern needs one of these characters: most titles and captions have none
  if (!MAYBE.test(text)) return text;
  return text.replace(ANY, ' ');
}

export function stripNonLinguistic(text: string): string {
  // digits, emoji, symbols and punctuation carry no language
  const t = stripIndicators(text).replace(/[\p{N}\p{S}\p{P}\p{Extended_Pictographic}]+/gu, ' ');
  return t.replace(/\s+/gu, ' ').trim();
}

export function letterCount(text: string): number {
  let n = 0;
  for (const ch of text) if (/\p{L}/u.test(ch)) n++;
  return n;
}
