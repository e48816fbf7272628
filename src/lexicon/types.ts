export type PropagandaCategory = 'glorification' | 'recruitment' | 'fundraising' | 'instructional' | 'branding' | 'threat';
export const PROPAGANDA_CATEGORIES: readonly PropagandaCategory[] = ['glorification', 'recruitment', 'fundraising', 'instructional', 'branding', 'threat'];
export type ContextCategory = 'reporting' | 'counter_speech' | 'benign_sense';
export type EntryKind = 'organisation' | 'outlet' | 'leader' | 'slogan' | 'cue' | 'symbol' | 'context' | 'benign_sense';

export interface LexiconEntry {
  id: string;
  term: string;
  variants?: string[];
  lang: string;
  kind: EntryKind;
  category: PropagandaCategory | ContextCategory;
  entity?: string;
  movement?: 'jihadist' | 'far_right' | 'other';
  weight: number;
  gloss_en: string;
  source: string;
  stem?: boolean;
  suppresses?: string[];
  scope?: 'overlap' | 'field';
}

/** A platform's own indicator watch-list entry (wallets, handles, channels) matched against `indicators`. */
export interface WatchlistEntry {
  type: 'wallet' | 'url' | 'handle' | 'telegram' | 'email';
  value: string;
  category: PropagandaCategory;
  weight: number;
  note?: string;
}

export interface LexiconFile {
  lexicon: string;
  version: string;
  languages: string[];
  description?: string;
  entries: LexiconEntry[];
  watchlist?: WatchlistEntry[];
  /** entry ids or terms the user wants never to count (an allow-list) */
  allow?: string[];
}

export function isPropagandaCategory(c: string): c is PropagandaCategory {
  return (PROPAGANDA_CATEGORIES as readonly string[]).includes(c);
}
