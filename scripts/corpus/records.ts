import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

/** Shared helpers for the corpus scripts: reading and writing JSONL, stable hashing. */
export type CorpusRecord = Record<string, unknown> & {
  id: string;
  label: 'propaganda' | 'about_extremism' | 'benign';
  category: string;
  lang: string;
  script: string;
  evasion: string[];
  synthetic: true;
};

export const SPLITS = ['train', 'dev', 'test'] as const;
export type Split = (typeof SPLITS)[number];

export function readJsonl<T = CorpusRecord>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as T;
      } catch (e) {
        throw new Error(`${path}:${i + 1}: ${(e as Error).message}`);
      }
    });
}

export function writeJsonl(path: string, records: unknown[]): void {
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
}

/** A number in [0, 1) from a string: stable across runs and machines. */
export function unitHash(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32BE(0) / 2 ** 32;
}

/** The text fields of a corpus record, as raqib reads them (for duplicate checks). */
export function recordText(r: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const k of ['name', 'title', 'description', 'image_caption', 'image_ocr', 'text']) if (typeof r[k] === 'string') parts.push(r[k] as string);
  if (Array.isArray(r.attributes)) for (const a of r.attributes as Array<{ value?: unknown }>) if (typeof a?.value === 'string') parts.push(a.value);
  return parts.join('\n');
}

export const TEXT_KEYS = ['name', 'description', 'image_caption', 'image_ocr', 'text'] as const;
