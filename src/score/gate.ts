import type { LanguageResult } from '../language/detect.js';
import type { LexiconMatch } from '../lexicon/matcher.js';

/**
 * Language gating: names of groups, outlets, leaders, slogans and symbols count in any language
 * (they are quoted across languages), but cue and context words count only in their own language —
 * a Malay word for "fund" must not score a Spanish sentence. Arabic-script cues count in any
 * Arabic-script field, where quoting Arabic is common and short-string language ID is least sure.
 */
const ANY_LANGUAGE = new Set(['organisation', 'outlet', 'leader', 'slogan', 'symbol', 'benign_sense']);
const ARABIC_SCRIPT_LANGS = new Set(['ar', 'fa', 'ur', 'ps']);

export function gateByLanguage(matches: LexiconMatch[], lang: LanguageResult): LexiconMatch[] {
  if (lang.lang === 'und' || lang.confidence < 0.5) return matches;
  const langs = new Set<string>([lang.lang, ...lang.alternatives.filter((a) => a.confidence >= 0.2).map((a) => a.lang), ...(lang.parts ?? []).map((p) => p.lang)]);
  return matches.filter((m) => {
    const e = m.entry;
    if (ANY_LANGUAGE.has(e.kind) || e.lang === 'mul') return true;
    const entryLang = e.lang === 'ar-Latn' ? 'ar' : e.lang;
    if (langs.has(entryLang)) return true;
    return ARABIC_SCRIPT_LANGS.has(entryLang) && [...langs].some((l) => ARABIC_SCRIPT_LANGS.has(l));
  });
}

/** Benign-sense phrases cancel the entries they name: overlapping matches, or all in the field. */
export function suppressBenign(matches: LexiconMatch[]): { kept: LexiconMatch[]; suppressed: Array<{ match: LexiconMatch; by: string }> } {
  const benign = matches.filter((m) => m.entry.kind === 'benign_sense');
  const kept: LexiconMatch[] = [];
  const suppressed: Array<{ match: LexiconMatch; by: string }> = [];
  for (const m of matches) {
    const by = benign.find((b) => b !== m && (b.entry.suppresses ?? []).includes(m.entry.id) && ((b.entry.scope ?? 'overlap') === 'field' || (b.start < m.end && m.start < b.end)));
    if (by) suppressed.push({ match: m, by: by.entry.id });
    else kept.push(m);
  }
  return { kept, suppressed };
}
