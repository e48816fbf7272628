import { readRecords } from '../io/readers.js';

/**
 * Labelled input for `raqib eval`: the same record shapes `raqib score` reads, plus a label. The
 * corpus (`data/corpus/*.jsonl`) and the research files (`../shared/datasets/real/*.jsonl`) are read
 * as they are. Labels other than the positive one are negatives in the binary view; the three-way view
 * keeps propaganda / about_extremism / benign.
 */
export interface LabelledRecord {
  file: string;
  line: number;
  record: Record<string, unknown>;
  /** the label as written */
  label: string;
  /** 1 when label is the positive label */
  y: 0 | 1;
  /** language as labelled in the file (`lang`, Arabizi as ar-Latn), if any */
  labelledLang?: string;
  category?: string;
  source: string;
  evasion: string[];
}

export interface Unreadable {
  file: string;
  line: number;
  code: string;
  message: string;
}

export interface ReadOptions {
  labelField: string;
  positive: string;
  format?: string;
}

export async function readLabelled(file: string, opt: ReadOptions): Promise<{ records: LabelledRecord[]; unreadable: Unreadable[] }> {
  const records: LabelledRecord[] = [];
  const unreadable: Unreadable[] = [];
  const base = file.split('/').pop() ?? file;
  for await (const raw of readRecords(file, opt.format)) {
    if ('error' in raw) {
      unreadable.push({ file: base, line: raw.line, ...raw.error });
      continue;
    }
    const r = raw.value as Record<string, unknown>;
    if (!r || typeof r !== 'object' || Array.isArray(r)) {
      unreadable.push({ file: base, line: raw.line, code: 'not_an_object', message: 'record is not an object' });
      continue;
    }
    const label = r[opt.labelField];
    if (typeof label !== 'string' || !label) {
      unreadable.push({ file: base, line: raw.line, code: 'no_label', message: `record has no string "${opt.labelField}"` });
      continue;
    }
    const lang = typeof r.lang === 'string' ? (r.lang === 'ar' && r.script === 'Latn' ? 'ar-Latn' : r.lang) : undefined;
    const source = typeof r.source === 'string' ? sourceName(r.source) : typeof r.author === 'string' ? `${base}:${r.author}` : base;
    records.push({
      file: base,
      line: raw.line,
      record: r,
      label,
      y: label === opt.positive ? 1 : 0,
      labelledLang: lang,
      category: typeof r.category === 'string' ? r.category : undefined,
      source,
      evasion: Array.isArray(r.evasion) ? (r.evasion as unknown[]).map(String) : [],
    });
  }
  return { records, unreadable };
}

/** `repo@commit:path` → `repo:path`; anything else as it is. */
function sourceName(s: string): string {
  const m = /^([^@]+)@[0-9a-f]+:(.*)$/.exec(s);
  return m ? `${m[1]}:${m[2]}` : s;
}
