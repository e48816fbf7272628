/**
 * OCR text clean-up and the character error rate used to choose preprocessing and to test.
 */

// LRM/RLM/ALM and the bidi embeddings/isolates tesseract wraps Arabic output in (U+200E, U+200F,
// U+061C, U+202A–U+202E, U+2066–U+2069); BOM and zero-width no-break space
const BIDI_MARKS = /[\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069\uFEFF]/g;
const WORD_CHAR = /[\p{L}\p{N}]/gu;

/**
 * Tesseract's text → what raqib scores: bidi marks removed, NFC, spaces collapsed, lines trimmed, and
 * lines with fewer than two letters or digits dropped (borders, rules and emblem discs come out as
 * `|`, `—`, `O`, `0`, `٠`: on the fixtures every such line was an artefact).
 */
export function cleanOcrText(raw: string): string {
  return raw
    .replace(BIDI_MARKS, '')
    .normalize('NFC')
    .split(/\r?\n/)
    .map((l) => l.replace(/[ \t\u00A0]+/g, ' ').trim())
    .filter((l) => (l.match(WORD_CHAR)?.length ?? 0) >= 2)
    .join('\n');
}

/** The form both sides are compared in: clean text, whitespace (newlines too) folded to one space. */
export function cerForm(s: string): string {
  return cleanOcrText(s).replace(/\s+/g, ' ').trim();
}

/** Levenshtein distance over code points. */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  if (x.length === 0) return y.length;
  if (y.length === 0) return x.length;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  let cur = new Array<number>(y.length + 1);
  for (let i = 1; i <= x.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    [prev, cur] = [cur, prev];
  }
  return prev[y.length];
}

/** Character error rate: edit distance / reference length (code points), after `cerForm` on both. */
export function characterErrorRate(reference: string, hypothesis: string): number {
  const ref = cerForm(reference);
  const hyp = cerForm(hypothesis);
  const n = [...ref].length;
  return n === 0 ? (hyp.length === 0 ? 0 : 1) : editDistance(ref, hyp) / n;
}
