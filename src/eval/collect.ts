import type { Scorer } from '../scorer.js';
import { isErrorRecord, type Decision, type Evidence, type Label, type OutputRecord } from '../types.js';
import type { LabelledRecord } from './dataset.js';

/** One labelled record as one scorer saw it: what the metrics and the error tables are built from. */
export interface ScoredRow extends Pick<LabelledRecord, 'file' | 'line' | 'label' | 'y' | 'labelledLang' | 'category' | 'source' | 'evasion'> {
  id: string;
  /** language raqib detected for the field that drove the decision (else the longest field) */
  detectedLang: string;
  /** which kind of field drove the decision */
  driver: Driver;
  score: number;
  decision: Decision;
  predicted: Label;
  evidence: Evidence[];
  text: string;
  /** set when the record could not be scored (it counts as unscoreable, never silently dropped) */
  error?: string;
}

export type Driver = 'title' | 'description' | 'attributes' | 'caption' | 'text' | 'none';

export function driverOf(path: string): Driver {
  if (path === 'name' || path.endsWith('.name') || path === 'properties.title') return 'title';
  if (path === 'description' || path.endsWith('.description')) return 'description';
  if (path.startsWith('attributes[') || path.startsWith('properties.')) return 'attributes';
  if (path === 'image_caption' || path === 'image_ocr' || path === 'image_data.text') return 'caption';
  return 'text';
}

export async function scoreRows(records: LabelledRecord[], scorer: Pick<Scorer, 'scoreBatch'>, batchSize = 64): Promise<ScoredRow[]> {
  const outs: OutputRecord[] = [];
  for (let i = 0; i < records.length; i += batchSize) {
    outs.push(...(await scorer.scoreBatch(records.slice(i, i + batchSize).map((lr) => ({ record: lr.record, ctx: { source: lr.file, line: lr.line } })))));
  }
  return records.map((lr, i) => {
    const out = outs[i];
    const base = {
      id: typeof lr.record.id === 'string' ? lr.record.id : `${lr.file}:${lr.line}`,
      file: lr.file,
      line: lr.line,
      label: lr.label,
      y: lr.y,
      labelledLang: lr.labelledLang,
      category: lr.category,
      source: lr.source,
      evasion: lr.evasion,
      text: preview(lr.record),
    };
    if (isErrorRecord(out)) {
      return { ...base, detectedLang: 'und', driver: 'none', score: 0, decision: 'allow', predicted: 'benign', evidence: [], error: `${out.error.code}: ${out.error.message}` } satisfies ScoredRow;
    }
    const fields = Object.entries(out.fields);
    const top = fields.reduce<[string, (typeof fields)[number][1]] | null>((best, f) => (best === null || f[1].score > best[1].score ? f : best), null);
    const longest = fields.reduce<[string, (typeof fields)[number][1]] | null>((best, f) => (best === null || fieldLength(lr.record, f[0]) > fieldLength(lr.record, best[0]) ? f : best), null);
    const driving = top && top[1].score > 0 ? top : null;
    const ls = out.label_scores;
    const predicted: Label = ls.propaganda >= ls.about_extremism && ls.propaganda >= ls.benign ? 'propaganda' : ls.about_extremism >= ls.benign ? 'about_extremism' : 'benign';
    return {
      ...base,
      detectedLang: (driving ?? longest)?.[1].lang ?? 'und',
      driver: driving ? driverOf(driving[0]) : 'none',
      score: out.score,
      decision: out.decision,
      predicted,
      evidence: out.evidence.filter((e) => !e.suppressed_by).slice(0, 8),
    } satisfies ScoredRow;
  });
}

function fieldLength(record: Record<string, unknown>, path: string): number {
  const v = path === 'name' ? (record.name ?? record.title) : record[path];
  return typeof v === 'string' ? v.length : 0;
}

function preview(r: Record<string, unknown>): string {
  const parts = ['name', 'title', 'description', 'text', 'image_caption', 'image_ocr'].map((k) => r[k]).filter((v): v is string => typeof v === 'string');
  const s = parts.join(' — ');
  return s.length > 240 ? `${s.slice(0, 239)}…` : s;
}
