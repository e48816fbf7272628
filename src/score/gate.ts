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

/**
 * Several language files name the same thing (`ISIS` is in the English, French, German… lexicons).
 * One span gets one piece of evidence per entity (or per category for cues): the entry of the
 * field's language if there is one, else the strongest.
 */
export function collapseDuplicates(matches: LexiconMatch[], lang: LanguageResult): LexiconMatch[] {
  const best = new Map<string, LexiconMatch>();
  const own = (m: LexiconMatch) => (m.entry.lang === lang.lang || (m.entry.lang === 'ar-Latn' && lang.lang === 'ar' && lang.script === 'Latn') ? 1 : 0);
  for (const m of matches) {
    // benign senses do not score; each keeps its own list of what it cancels
    if (m.entry.kind === 'benign_sense') continue;
    const channel = m.entry.kind === 'context' ? 'c' : 'p';
    const key = `${m.start}:${m.end}:${channel}:${m.entry.entity ?? m.entry.category}`;
    const cur = best.get(key);
    if (!cur || own(m) > own(cur) || (own(m) === own(cur) && m.entry.weight > cur.entry.weight)) best.set(key, m);
  }
  const keep = new Set(best.values());
  return matches.filter((m) => m.entry.kind === 'benign_sense' || keep.has(m));
}

/** What one benign-sense entry cancels: entry ids, and the entities and matching forms of those entries. */
export interface SuppressionTargets {
  ids: Set<string>;
  entities: Set<string>;
  forms: Set<string>;
}

/**
 * Benign-sense phrases cancel the entries they name — and the same word from other language files
 * (same entity or same matching form) — in overlapping spans, or anywhere in the record.
 */
export function suppressBenign(
  matches: LexiconMatch[],
  targets: (benignId: string) => SuppressionTargets,
  /** matches of this field; the others are benign senses found in sibling fields */
  own: Set<LexiconMatch> = new Set(matches),
): { kept: LexiconMatch[]; suppressed: Array<{ match: LexiconMatch; by: string }> } {
  const benign = matches.filter((m) => m.entry.kind === 'benign_sense');
  const kept: LexiconMatch[] = [];
  const suppressed: Array<{ match: LexiconMatch; by: string }> = [];
  for (const m of matches) {
    const by = benign.find((b) => {
      if (b === m || m.entry.kind === 'benign_sense' || m.entry.kind === 'context') return false;
      const t = targets(b.entry.id);
      // field scope, or a phrase without the ambiguous word in it ("Egyptian mythology"), acts at a
      // distance, across the record; otherwise only on overlapping spans of the same field
      const atDistance = (b.entry.scope ?? 'overlap') === 'field' || ![...t.forms].some((f) => b.match.includes(f));
      if (!atDistance && !(own.has(b) && b.start < m.end && m.start < b.end)) return false;
      return t.ids.has(m.entry.id) || (m.entry.entity !== undefined && t.entities.has(m.entry.entity)) || t.forms.has(m.match);
    });
    if (by) suppressed.push({ match: m, by: by.entry.id });
    else kept.push(m);
  }
  return { kept, suppressed };
}
