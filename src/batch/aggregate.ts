import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { PROPAGANDA_CATEGORIES } from '../lexicon/types.js';
import type { Decision, OutputRecord, PropagandaCategory, ScoreResult } from '../types.js';

/**
 * Per-actor summaries of scored records. Moderators act on accounts, not single tokens, and one
 * supporter usually mints several cards: group results by an actor the scorer reports in
 * `actors` (creator, contract, collection or owner) and count, per actor, records, flagged records and
 * decisions, the highest and mean score, records per category and per detected language, and the
 * evidence that matched most often. Records without that actor are grouped under `actor: null`; error
 * records carry no actors and are only counted.
 */
export const GROUP_KEYS = ['creator', 'contract', 'collection', 'owner'] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];

export function parseGroupKeys(s: string): GroupKey[] {
  const keys = s.split(',').map((x) => x.trim()).filter(Boolean);
  if (keys.length === 0) throw new Error('--group-by/--by: name creator, contract, collection or owner');
  for (const k of keys) if (!(GROUP_KEYS as readonly string[]).includes(k)) throw new Error(`--group-by/--by: unknown actor "${k}" (creator, contract, collection, owner)`);
  return [...new Set(keys)] as GroupKey[];
}

/** What aggregation needs of one output record (small: it crosses from pool threads). */
export type RecordSummary =
  | { error: true }
  | {
      id: string;
      actors: ScoreResult['actors'];
      decision: Decision;
      score: number;
      /** categories that are on */
      categories: PropagandaCategory[];
      /** distinct languages of the record's fields */
      langs: string[];
      /** counted evidence (not cancelled): [rule, match, category, gloss_en] */
      terms: Array<[string, string, string, string]>;
    };

export function summarize(rec: OutputRecord): RecordSummary {
  if ('error' in rec) return { error: true };
  return {
    id: rec.id,
    actors: rec.actors,
    decision: rec.decision,
    score: rec.score,
    categories: PROPAGANDA_CATEGORIES.filter((c) => rec.categories[c]),
    langs: [...new Set(Object.values(rec.fields).map((f) => f.lang))],
    terms: rec.evidence.filter((e) => !e.suppressed_by).map((e) => [e.rule, e.match, e.category, e.gloss_en]),
  };
}

export interface ActorSummary {
  by: GroupKey;
  actor: string | null;
  records: number;
  flagged: number;
  decisions: Record<Decision, number>;
  score_max: number;
  score_mean: number;
  /** records with each category on */
  categories: Record<PropagandaCategory, number>;
  /** records per detected field language (a record counts once per language it has), most first */
  languages: Record<string, number>;
  /** the evidence that matched most often: `records` = this actor's records it matched in, `count` = matches */
  top_evidence: Array<{ rule: string; match: string; category: string; gloss_en: string; records: number; count: number }>;
  /** the first few flagged record ids, for a reviewer to open */
  flagged_ids: string[];
}

interface TermCount {
  rule: string;
  match: string;
  category: string;
  gloss_en: string;
  records: number;
  count: number;
}

class ActorState {
  records = 0;
  flagged = 0;
  decisions: Record<Decision, number> = { allow: 0, review: 0, block: 0 };
  scoreMax = 0;
  scoreSum = 0;
  categories = Object.fromEntries(PROPAGANDA_CATEGORIES.map((c) => [c, 0])) as Record<PropagandaCategory, number>;
  langs = new Map<string, number>();
  terms = new Map<string, TermCount>();
  flaggedIds: string[] = [];
}

export interface AggregatorOptions {
  /** how many evidence terms per actor (default 10) */
  top?: number;
  /** how many flagged ids per actor (default 5) */
  ids?: number;
}

export class Aggregator {
  private readonly actors = new Map<string | null, ActorState>();
  /** error records seen (they carry no actors) */
  errors = 0;
  /** scored records seen */
  records = 0;

  constructor(
    readonly by: GroupKey,
    private readonly opts: AggregatorOptions = {},
  ) {}

  add(s: RecordSummary): void {
    if ('error' in s) {
      this.errors++;
      return;
    }
    this.records++;
    const key = s.actors[this.by] ?? null;
    let a = this.actors.get(key);
    if (!a) this.actors.set(key, (a = new ActorState()));
    a.records++;
    a.decisions[s.decision]++;
    if (s.decision !== 'allow') {
      a.flagged++;
      if (a.flaggedIds.length < (this.opts.ids ?? 5)) a.flaggedIds.push(s.id);
    }
    a.scoreMax = Math.max(a.scoreMax, s.score);
    a.scoreSum += s.score;
    for (const c of s.categories) a.categories[c]++;
    for (const l of s.langs) a.langs.set(l, (a.langs.get(l) ?? 0) + 1);
    const seen = new Set<string>();
    for (const [rule, match, category, gloss] of s.terms) {
      const k = `${rule}\u0000${match}`;
      let t = a.terms.get(k);
      if (!t) a.terms.set(k, (t = { rule, match, category, gloss_en: gloss, records: 0, count: 0 }));
      t.count++;
      if (!seen.has(k)) {
        seen.add(k);
        t.records++;
      }
    }
  }

  addRecord(rec: OutputRecord): void {
    this.add(summarize(rec));
  }

  get actorCount(): number {
    return this.actors.size;
  }

  /** Actors, most flagged first (then highest score, most records, name); `null` (no such actor) last. */
  rows(): ActorSummary[] {
    const top = this.opts.top ?? 10;
    const rows: ActorSummary[] = [];
    for (const [actor, a] of this.actors) {
      const terms = [...a.terms.values()].sort((x, y) => y.records - x.records || y.count - x.count || cmp(x.rule, y.rule) || cmp(x.match, y.match));
      rows.push({
        by: this.by,
        actor,
        records: a.records,
        flagged: a.flagged,
        decisions: a.decisions,
        score_max: a.scoreMax,
        score_mean: round(a.scoreSum / a.records),
        categories: a.categories,
        languages: Object.fromEntries([...a.langs].sort((x, y) => y[1] - x[1] || cmp(x[0], y[0]))),
        top_evidence: terms.slice(0, top),
        flagged_ids: a.flaggedIds,
      });
    }
    return rows.sort(
      (x, y) =>
        Number(x.actor === null) - Number(y.actor === null) ||
        y.flagged - x.flagged ||
        y.score_max - x.score_max ||
        y.records - x.records ||
        cmp(x.actor ?? '', y.actor ?? ''),
    );
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

/**
 * Read `raqib score` output (JSONL) and feed every record to the aggregators. Lines that are not output
 * records (a torn last line of a killed job, anything else) are counted in `unreadable`, not fatal.
 */
export async function aggregateFiles(paths: string[], aggs: Aggregator[], stdin: NodeJS.ReadableStream = process.stdin): Promise<{ lines: number; unreadable: number }> {
  let lines = 0;
  let unreadable = 0;
  for (const p of paths) {
    const input = p === '-' ? stdin : createReadStream(p);
    const rl = createInterface({ input, crlfDelay: Infinity });
    for await (const line of rl) {
      if (!line.trim()) continue;
      let rec: OutputRecord;
      try {
        rec = JSON.parse(line);
      } catch {
        unreadable++;
        continue;
      }
      if (!isOutputRecord(rec)) {
        unreadable++;
        continue;
      }
      lines++;
      const s = summarize(rec);
      for (const a of aggs) a.add(s);
    }
  }
  return { lines, unreadable };
}

export function isOutputRecord(x: unknown): x is OutputRecord {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  if ('error' in r) return typeof r.error === 'object' && r.error !== null;
  return typeof r.id === 'string' && typeof r.decision === 'string' && typeof r.score === 'number' && typeof r.categories === 'object' && typeof r.fields === 'object' && Array.isArray(r.evidence) && typeof r.actors === 'object';
}
