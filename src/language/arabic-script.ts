/**
 * Letter cues that separate Arabic, Persian, Urdu and Pashto, which statistical detectors confuse on
 * short strings. Counted on lightly normalised text, before Arabic folding erases them.
 */
const PASHTO = /[\u067C\u0681\u0685\u0689\u0693\u0696\u069A\u06AB\u06BC\u06CD\u06D0]/gu; // ټ ځ څ ډ ړ ږ ښ ګ ڼ ۍ ې
const URDU = /[\u0679\u0688\u0691\u06BA\u06D2\u06C1\u06BE]/gu; // ٹ ڈ ڑ ں ے ہ ھ
const PERSO = /[\u067E\u0686\u0698\u06AF\u06A9\u06CC]/gu; // پ چ ژ گ ک ی
const ARABIC_ONLY = /[\u0629\u0649\u064A\u0643]/gu; // ة ى ي ك

export interface ArabicScriptCues {
  pashto: number;
  urdu: number;
  perso: number;
  arabic: number;
  letters: number;
}

export function arabicScriptCues(text: string): ArabicScriptCues {
  return {
    pashto: (text.match(PASHTO) ?? []).length,
    urdu: (text.match(URDU) ?? []).length,
    perso: (text.match(PERSO) ?? []).length,
    arabic: (text.match(ARABIC_ONLY) ?? []).length,
    letters: (text.match(/\p{L}/gu) ?? []).length,
  };
}

/** Additive evidence per language from the cues (log-odds scale, added to detector scores). */
export function arabicScriptEvidence(c: ArabicScriptCues): Record<string, number> {
  const ev: Record<string, number> = { ar: 0, fa: 0, ur: 0, ps: 0 };
  if (c.pashto > 0) ev.ps += 2 + c.pashto;
  if (c.urdu > 0) ev.ur += 1.5 + c.urdu;
  if (c.perso > 0) {
    ev.fa += 0.5;
    ev.ur += 0.5;
    ev.ps += 0.5;
    ev.ar -= 1 + c.perso;
  }
  if (c.arabic > 0 && c.perso === 0) {
    ev.ar += 1 + c.arabic * 0.5;
  }
  // Pashto and Urdu text of any length nearly always shows one of their own letters
  if (c.pashto === 0 && c.letters >= 6) ev.ps -= 1;
  if (c.urdu === 0 && c.letters >= 10) ev.ur -= 0.5;
  return ev;
}
