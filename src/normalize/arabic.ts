import { mapCodePoints, type MappedText } from './mapped-text.js';

/**
 * Arabic-script folding for matching. It erases distinctions that spelling variation and evasion
 * play with (alef forms, alef maqsura/yeh, teh marbuta/heh, Persian/Urdu kaf and yeh, undotted
 * letters, harakat, tatweel, Arabic-Indic digits). It also erases letters that tell Arabic, Persian,
 * Urdu and Pashto apart, so language ID must run before it.
 */
const FOLD: Record<string, string> = {
  '\u0623': '\u0627', // أ
  '\u0625': '\u0627', // إ
  '\u0622': '\u0627', // آ
  '\u0671': '\u0627', // ٱ wasla
  '\u0672': '\u0627',
  '\u0673': '\u0627',
  '\u0675': '\u0627',
  '\u0649': '\u064A', // ى alef maqsura
  '\u06CC': '\u064A', // ی Persian yeh
  '\u06D2': '\u064A', // ے Urdu yeh barree
  '\u06D3': '\u064A',
  '\u06CD': '\u064A', // ۍ Pashto
  '\u06D0': '\u064A', // ې Pashto
  '\u0626': '\u064A', // ئ
  '\u0624': '\u0648', // ؤ
  '\u0629': '\u0647', // ة teh marbuta
  '\u06C3': '\u0647',
  '\u06C1': '\u0647', // ہ Urdu heh goal
  '\u06C2': '\u0647',
  '\u06BE': '\u0647', // ھ heh doachashmee
  '\u06D5': '\u0647', // ە
  '\u06A9': '\u0643', // ک Persian kaf
  '\u06AA': '\u0643',
  // undotted letters used to dodge keyword filters
  '\u066E': '\u0628', // ٮ dotless beh
  '\u066F': '\u0642', // ٯ dotless qaf
  '\u06A1': '\u0641', // ڡ dotless feh
  '\u06BA': '\u0646', // ں noon ghunna / dotless noon
};

/** Harakat, Quranic annotation marks, superscript alef, tatweel. */
const STRIP = /[\u0610-\u061A\u0640\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E8\u06EA-\u06ED\u08D3-\u08E1\u08E3-\u08FF]/;

export function foldArabic(m: MappedText): MappedText {
  if (!/[\u0600-\u08ff]/.test(m.text)) return m;
  return mapCodePoints(m, (cp) => {
    const c = cp.charCodeAt(0);
    if (c < 0x0600 || c > 0x08ff) return cp;
    if (STRIP.test(cp)) return '';
    if (c >= 0x0660 && c <= 0x0669) return String(c - 0x0660);
    if (c >= 0x06f0 && c <= 0x06f9) return String(c - 0x06f0);
    return FOLD[cp] ?? cp;
  });
}

/** Does the text use dotless letter forms that suggest deliberate undotting? */
export function hasUndottedLetters(s: string): boolean {
  return /[\u066E\u066F\u06A1]/.test(s);
}

/**
 * Rasm skeleton: letters that differ only by dots fold to one shape. Used as a separate matching view
 * when the text shows deliberate undotting, for lexicon terms long enough to stay distinctive.
 */
const RASM: Record<string, string> = {
  '\u0628': '\u066E', '\u062A': '\u066E', '\u062B': '\u066E', '\u0646': '\u066E', '\u064A': '\u066E', // ب ت ث ن ي
  '\u062C': '\u062D', '\u062E': '\u062D', // ج خ → ح
  '\u0630': '\u062F', // ذ → د
  '\u0632': '\u0631', // ز → ر
  '\u0634': '\u0633', // ش → س
  '\u0636': '\u0635', // ض → ص
  '\u0638': '\u0637', // ظ → ط
  '\u063A': '\u0639', // غ → ع
  '\u0642': '\u06A1', '\u0641': '\u06A1', // ق ف → ڡ
  '\u0647': '\u0647',
};

/** Applies to already-folded text. */
export function rasmSkeleton(m: MappedText): MappedText {
  return mapCodePoints(m, (cp) => RASM[cp] ?? cp);
}

export const ARABIC_CLITIC_PREFIXES = new Set([
  '\u0648', '\u0641', '\u0628', '\u0643', '\u0644', // و ف ب ك ل
  '\u0627\u0644', '\u0644\u0644', // ال لل
  '\u0648\u0627\u0644', '\u0628\u0627\u0644', '\u0641\u0627\u0644', '\u0643\u0627\u0644', // وال بال فال كال
  '\u0648\u0644\u0644', '\u0641\u0644\u0644', '\u0648\u0628', '\u0648\u0644', '\u0641\u0628', '\u0641\u0644', '\u0648\u0643',
  '\u0648\u0628\u0627\u0644', '\u0648\u0633', '\u0633', // وبال وس س (future prefix before verbs)
]);

/** Suffixes in folded form (ة→ه, ی→ي): pronouns, plurals, nisba, Persian plural. */
export const ARABIC_SUFFIXES = new Set([
  '\u0647', '\u0647\u0627', '\u0647\u0645', '\u0647\u0645\u0627', '\u0647\u0646', '\u064A', '\u064A\u0647', '\u064A\u0627',
  '\u0646\u0627', '\u0643', '\u0643\u0645', '\u0627\u062A', '\u0648\u0646', '\u064A\u0646', '\u0627\u0646', '\u064A\u0648\u0646',
  '\u064A\u064A\u0646', '\u0648\u0627', '\u0647\u0627\u064A', '\u0627\u064A', '\u0627\u0648', '\u062A', '\u062A\u0647', '\u0627',
]);
