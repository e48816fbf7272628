import { AhoCorasick } from '@monyone/aho-corasick';
import { ARABIC_CLITIC_PREFIXES, ARABIC_SUFFIXES } from '../normalize/arabic.js';
import { originalSpan, type MappedText } from '../normalize/mapped-text.js';
import { normalizeTerm, type NormalizedViews, type ViewName } from '../normalize/pipeline.js';
import { FuzzyIndex } from './fuzzy.js';
import type { LexiconEntry, LexiconFile } from './types.js';

/** One lexicon hit, with offsets into the original field string. */
export interface LexiconMatch {
  entry: LexiconEntry;
  start: number;
  end: number;
  /** the original text of the span */
  text: string;
  /** the lexicon form that matched (normalised) */
  match: string;
  view: ViewName | 'fuzzy';
}

interface Pattern {
  entry: LexiconEntry;
  arabicScript: boolean;
  latin: boolean;
}

const WORD = /[\p{L}\p{N}\p{M}]/u;
const ARABIC = /\p{Script=Arabic}/u;
const LATIN = /\p{Script=Latin}/u;
/** Rasm view only for terms long enough to stay distinctive once dots are gone. */
const RASM_MIN_LETTERS = 5;

class ViewAutomaton {
  readonly patterns = new Map<string, Pattern[]>();
  private ac: AhoCorasick | null = null;

  add(form: string, p: Pattern): void {
    // one letter is never a term; one emoji or symbol can be
    const f = form.trim();
    if (f.length === 0 || (f.length < 2 && /[\p{L}\p{N}]/u.test(f))) return;
    const list = this.patterns.get(form) ?? [];
    if (!list.some((q) => q.entry.id === p.entry.id)) list.push(p);
    this.patterns.set(form, list);
  }

  build(): void {
    this.ac = new AhoCorasick([...this.patterns.keys()]);
  }

  find(text: string): Array<{ begin: number; end: number; keyword: string }> {
    return this.ac ? this.ac.matchInText(text) : [];
  }
}

/**
 * Compiles lexicon entries into one Aho–Corasick automaton per normalisation view and finds
 * word-bounded matches (Arabic clitics and suffixes allowed around Arabic-script terms).
 */
export class LexiconMatcher {
  private readonly views: Record<ViewName, ViewAutomaton> = { base: new ViewAutomaton(), arabizi: new ViewAutomaton(), rasm: new ViewAutomaton() };
  private readonly fuzzy = new FuzzyIndex<Pattern>();
  readonly entries: LexiconEntry[] = [];
  private readonly allow: Set<string>;
  private readonly byId = new Map<string, LexiconEntry>();
  private readonly targetCache = new Map<string, { ids: Set<string>; entities: Set<string>; forms: Set<string> }>();

  constructor(files: LexiconFile[]) {
    this.allow = new Set(files.flatMap((f) => f.allow ?? []).map((a) => a.toLowerCase()));
    for (const f of files) {
      for (const entry of f.entries) {
        if (this.allow.has(entry.id.toLowerCase())) continue;
        this.entries.push(entry);
        this.byId.set(entry.id, entry);
        for (const surface of [entry.term, ...(entry.variants ?? [])]) this.addSurface(entry, surface);
      }
    }
    for (const v of Object.values(this.views)) v.build();
  }

  private addSurface(entry: LexiconEntry, surface: string): void {
    const base = normalizeTerm(surface, 'base');
    if (this.allow.has(base)) return;
    const p: Pattern = { entry, arabicScript: ARABIC.test(surface), latin: LATIN.test(surface) };
    this.views.base.add(base, p);
    if (entry.lang === 'ar-Latn' || /\d/.test(surface)) this.views.arabizi.add(normalizeTerm(surface, 'arabizi'), p);
    else if (p.latin) this.views.arabizi.add(base, p);
    if (p.arabicScript) {
      const rasm = normalizeTerm(surface, 'rasm');
      if ([...rasm].filter((c) => WORD.test(c)).length >= RASM_MIN_LETTERS) this.views.rasm.add(rasm, p);
    }
    const fuzzyKinds = ['organisation', 'outlet', 'leader'];
    if (p.latin && fuzzyKinds.includes(entry.kind) && !/\s/.test(base)) this.fuzzy.add(base, p);
  }

  /** The ids, entities and matching forms a benign-sense entry cancels. */
  suppressionTargets(benignId: string): { ids: Set<string>; entities: Set<string>; forms: Set<string> } {
    let t = this.targetCache.get(benignId);
    if (t) return t;
    t = { ids: new Set(), entities: new Set(), forms: new Set() };
    for (const id of this.byId.get(benignId)?.suppresses ?? []) {
      t.ids.add(id);
      const e = this.byId.get(id);
      if (!e) continue;
      if (e.entity) t.entities.add(e.entity);
      for (const s of [e.term, ...(e.variants ?? [])]) t.forms.add(normalizeTerm(s, 'base'));
    }
    this.targetCache.set(benignId, t);
    return t;
  }

  /**
   * All matches in one field's normalised views, before language gating and suppression. A match
   * inside a longer match of the same channel is dropped (leftmost-longest), unless `keepContained`.
   */
  match(views: NormalizedViews, keepContained = false): LexiconMatch[] {
    const out: LexiconMatch[] = [];
    for (const name of ['base', 'arabizi', 'rasm'] as const) {
      const m = views[name];
      if (!m) continue;
      for (const hit of this.views[name].find(m.text)) {
        for (const p of this.views[name].patterns.get(hit.keyword) ?? []) {
          if (!bounded(m.text, hit.begin, hit.end, p)) continue;
          out.push(toMatch(p.entry, m, hit.begin, hit.end, hit.keyword, name, views.original));
        }
      }
    }
    this.fuzzyMatches(views.base, out, views.original);
    return dedupe(out, keepContained);
  }

  private fuzzyMatches(m: MappedText, found: LexiconMatch[], original: string): void {
    if (this.fuzzy.size === 0) return;
    const re = /[\p{L}\p{M}]{5,}/gu;
    let t: RegExpExecArray | null;
    while ((t = re.exec(m.text)) !== null) {
      const [s, e] = originalSpan(m, t.index, t.index + t[0].length);
      if (found.some((f) => f.start < e && s < f.end)) continue;
      for (const c of this.fuzzy.lookup(t[0])) {
        found.push(toMatch(c.value.entry, m, t.index, t.index + t[0].length, c.term, 'fuzzy', original));
      }
    }
  }
}

function toMatch(entry: LexiconEntry, m: MappedText, b: number, e: number, keyword: string, view: LexiconMatch['view'], original: string): LexiconMatch {
  const [start, end] = originalSpan(m, b, e);
  return { entry, start, end, text: original.slice(start, end), match: keyword, view };
}

function bounded(t: string, b: number, e: number, p: Pattern): boolean {
  const first = t[b];
  const last = t[e - 1];
  if (WORD.test(first) && b > 0 && WORD.test(t[b - 1])) {
    if (!p.arabicScript) return false;
    let ts = b;
    while (ts > 0 && WORD.test(t[ts - 1])) ts--;
    if (!ARABIC_CLITIC_PREFIXES.has(t.slice(ts, b))) return false;
  }
  if (WORD.test(last) && e < t.length && WORD.test(t[e])) {
    if (p.entry.stem) return true;
    let te = e;
    while (te < t.length && WORD.test(t[te])) te++;
    const suffix = t.slice(e, te);
    if (p.arabicScript) return ARABIC_SUFFIXES.has(suffix);
    // Latin plurals and possessives of names and phrases
    return p.latin && e - b >= 4 && (suffix === 's' || suffix === 'es');
  }
  return true;
}

/** One match per entry and span; a match inside a longer match of the same channel is dropped. */
function dedupe(ms: LexiconMatch[], keepContained: boolean): LexiconMatch[] {
  const key = (m: LexiconMatch) => `${m.entry.id}:${m.start}:${m.end}`;
  const uniq = new Map<string, LexiconMatch>();
  for (const m of ms) if (!uniq.has(key(m))) uniq.set(key(m), m);
  const list = [...uniq.values()];
  const channel = (m: LexiconMatch) => (m.entry.kind === 'context' ? 'c' : m.entry.kind === 'benign_sense' ? 'b' : 'p');
  return list
    .filter((m) => keepContained || !list.some((o) => o !== m && channel(o) === channel(m) && o.start <= m.start && o.end >= m.end && o.end - o.start > m.end - m.start))
    .sort((a, b) => a.start - b.start || b.end - a.end || a.entry.id.localeCompare(b.entry.id));
}
