import { foldArabic, hasUndottedLetters, rasmSkeleton } from './arabic.js';
import { arabiziView, hasArabiziTokens } from './arabizi.js';
import { lowerCase } from './case.js';
import { foldConfusables } from './confusables.js';
import { foldHausaHooks } from './hausa.js';
import { decodeLeetspeak } from './leetspeak.js';
import { fromString, originalSpan, type MappedText } from './mapped-text.js';
import { joinSeparatedLetters, splitHashtagCamelCase } from './separators.js';
import { nfkcStripInvisibles } from './unicode.js';

/**
 * The normalisers composed, in the order the brief requires:
 * light (NFKC, invisibles)  → language ID reads this
 * matching (+ hashtag split, lower case, Hausa hooked letters, Arabic folding, confusables, leetspeak, inner separators)
 * and two extra views built only when the text shows their trick: Arabizi digits, undotted rasm.
 */
export type ViewName = 'base' | 'arabizi' | 'rasm';

export interface NormalizedViews {
  /** the field string as given */
  original: string;
  /** NFKC + invisibles removed: what language ID sees */
  light: MappedText;
  base: MappedText;
  arabizi?: MappedText;
  rasm?: MappedText;
}

export function lightNormalize(text: string): MappedText {
  return nfkcStripInvisibles(fromString(text));
}

/** Matching normalisation from the light form; the Arabizi view keeps digits for its own decoding. */
function matchingFromLight(light: MappedText): MappedText {
  let m = splitHashtagCamelCase(light);
  m = lowerCase(m);
  m = foldHausaHooks(m);
  m = foldArabic(m);
  m = foldConfusables(m);
  m = decodeLeetspeak(m);
  return joinSeparatedLetters(m);
}

export function normalizeViews(text: string): NormalizedViews {
  const light = lightNormalize(text);
  const views: NormalizedViews = { original: text, light, base: matchingFromLight(light) };
  if (hasArabiziTokens(light.text)) {
    views.arabizi = joinSeparatedLetters(arabiziView(foldConfusables(foldArabic(lowerCase(splitHashtagCamelCase(light))))));
  }
  if (hasUndottedLetters(light.text)) views.rasm = rasmSkeleton(views.base);
  return views;
}

/** Normalises a lexicon term for one view, exactly as text is normalised for that view. */
export function normalizeTerm(term: string, view: ViewName): string {
  const light = lightNormalize(term);
  if (view === 'arabizi') return joinSeparatedLetters(arabiziView(foldConfusables(foldArabic(lowerCase(light))))).text;
  const base = matchingFromLight(light);
  return view === 'rasm' ? rasmSkeleton(base).text : base.text;
}

/** Public: the matching form of a text, with a map back to original offsets. */
export function normalize(text: string): { text: string; toOriginal(start: number, end: number): [number, number] } {
  const { base } = normalizeViews(text);
  return { text: base.text, toOriginal: (start, end) => originalSpan(base, start, end) };
}
