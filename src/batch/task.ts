import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DEFAULT_MODEL_DIR } from '../model/location.js';
import { readJsonl, type RawRecord } from '../io/readers.js';
import type { OcrScorerOptions } from '../ocr/index.js';
import type { Scorer, ScorerOptions } from '../scorer.js';
import type { OutputRecord } from '../types.js';
import { summarize, type RecordSummary } from './aggregate.js';

/**
 * One unit of batch work, the same whether it runs in a pool thread or in the calling thread: a run
 * of whole JSONL lines as bytes (parsed where it is scored, so the reading thread only splits lines),
 * or records a reader already parsed (CSV, JSON documents). Its result is the output lines of those
 * records, in input order, exactly what `raqib score` writes for them.
 */
export type BatchTask =
  | {
      kind: 'jsonl';
      source: string;
      /** line number of the first line in `bytes` (1-based, blank lines counted) */
      firstLine: number;
      /** whole lines, each ending in \n except perhaps the input's last */
      bytes: Uint8Array;
      /** indices (in record order within this task) of records to leave out: already in the output */
      skip?: number[];
      summarize?: boolean;
    }
  | { kind: 'records'; source: string; items: RawRecord[]; skip?: number[]; summarize?: boolean }
  /**
   * Pool control (no output): `init` builds the thread's scorer, `close` closes it (its OCR engine
   * and temporary traineddata directory with it). With a `barrier` (an Int32 counter in shared
   * memory) each of `parties` such tasks waits until all have arrived, so each lands on its own thread.
   */
  | { kind: 'init'; barrier?: SharedArrayBuffer; parties?: number }
  | { kind: 'close'; barrier?: SharedArrayBuffer; parties?: number };

export interface TaskResult {
  /** the output lines, each ending in \n */
  text: string;
  /** output lines in `text` */
  records: number;
  /** error records among them */
  errors: number;
  /** the error lines again (for --errors) */
  errorText: string;
  /** per output line, for --group-by */
  summaries?: RecordSummary[];
}

/** Options a pool thread needs to build its own scorer (plain data: it crosses a thread boundary). */
export interface ScorerSpec {
  lexicons?: string[];
  configPath?: string;
  threshold?: string;
  fields?: string[];
  /** a model directory; false: lexicons only; absent: the shipped model when present */
  model?: string | false;
  dtype?: 'q8' | 'fp32';
  /** true: the transformer runs in a thread of its own beside each scoring thread */
  modelThread?: boolean;
  /**
   * OCR of each record's images, as `createScorer({ ocr })` takes it: what `ocrOptionsFromCli` gives
   * (imageRoot, ipfsDir, ipfsGateway, workers, …) — plain data, so every pool thread starts its own
   * engine with the same image root and gateway, and reads images under the same rules. Absent: no OCR.
   */
  ocr?: OcrScorerOptions;
}

/**
 * Records per scorer call when OCR is on, as the plain `raqib score` path batches them: the scorer
 * reads a call's images concurrently, so a task's run of thousands of lines is scored in slices.
 */
export const OCR_BATCH = 32;

/** Whether createScorer will load a model for this spec (its rule: an explicit dir, or the shipped one when present). */
export function loadsModel(spec: ScorerSpec): boolean {
  if (spec.model === false) return false;
  return typeof spec.model === 'string' || existsSync(join(DEFAULT_MODEL_DIR(), 'config.json'));
}

export function scorerOptions(spec: ScorerSpec): ScorerOptions {
  const opts: ScorerOptions = { lexicons: spec.lexicons ?? [], configPath: spec.configPath, threshold: spec.threshold, fields: spec.fields, model: spec.model, dtype: spec.dtype, modelThread: spec.modelThread };
  if (spec.ocr) opts.ocr = spec.ocr;
  return opts;
}

/** Records per scorer call for a spec (undefined: a task's records in one call). */
export function scoreSlice(spec: ScorerSpec): number | undefined {
  return spec.ocr ? OCR_BATCH : undefined;
}

const NEWLINE = new Uint8Array([0x0a]);

/**
 * The records of a run of JSONL lines, numbered as the whole file would number them. A chunk that
 * does not start the file gets a blank line in front (blank lines are not records), so the reader
 * strips a byte-order mark only where it would for the whole file: on line 1.
 */
export async function* jsonlChunkRecords(bytes: Uint8Array, firstLine: number): AsyncGenerator<RawRecord> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offset = firstLine === 1 ? 0 : firstLine - 2;
  const input = firstLine === 1 ? buf : Buffer.concat([NEWLINE, buf]);
  for await (const raw of readJsonl(Readable.from([input]))) yield offset === 0 ? raw : renumber(raw, offset);
}

/** A record read from a chunk, with its line number (and the messages that quote it) as in the whole file. */
function renumber(raw: RawRecord, offset: number): RawRecord {
  const line = raw.line + offset;
  const fix = (m: string) => (m.startsWith(`line ${raw.line}`) && !/\d/.test(m.charAt(`line ${raw.line}`.length)) ? `line ${line}${m.slice(`line ${raw.line}`.length)}` : m);
  if ('error' in raw) return { line, error: { ...raw.error, message: fix(raw.error.message) } };
  return { line, value: raw.value, warnings: raw.warnings.map((w) => ({ ...w, message: fix(w.message) })) };
}

/**
 * Output records of raw records, in order: one scorer batch (one model call) for all that parse, or
 * one per `slice` of them (OCR: bounds the images read at once).
 */
export async function outputsOf(scorer: Scorer, raws: RawRecord[], source: string, slice?: number): Promise<OutputRecord[]> {
  const ok = raws.filter((r): r is Extract<RawRecord, { value: unknown }> => !('error' in r));
  const items = ok.map((r) => ({ record: r.value, ctx: { source, line: r.line, warnings: r.warnings } }));
  let scored: OutputRecord[] = [];
  if (!slice || items.length <= slice) scored = items.length ? await scorer.scoreBatch(items) : [];
  else for (let i = 0; i < items.length; i += slice) scored.push(...(await scorer.scoreBatch(items.slice(i, i + slice))));
  let k = 0;
  return raws.map((r) => ('error' in r ? { line: r.line, error: r.error } : scored[k++]));
}

export async function runTask(scorer: Scorer, task: BatchTask, slice?: number): Promise<TaskResult> {
  if (task.kind === 'init' || task.kind === 'close') return { text: '', records: 0, errors: 0, errorText: '' };
  const skip = task.skip && task.skip.length ? new Set(task.skip) : null;
  let raws: RawRecord[] = [];
  if (task.kind === 'jsonl') for await (const raw of jsonlChunkRecords(task.bytes, task.firstLine)) raws.push(raw);
  else raws = task.items;
  if (skip) raws = raws.filter((_, i) => !skip.has(i));
  const lines: string[] = [];
  const errorLines: string[] = [];
  const summaries: RecordSummary[] | undefined = task.summarize ? [] : undefined;
  for (const rec of await outputsOf(scorer, raws, task.source, slice)) {
    const line = `${JSON.stringify(rec)}\n`;
    lines.push(line);
    if ('error' in rec) errorLines.push(line);
    summaries?.push(summarize(rec));
  }
  const res: TaskResult = { text: lines.join(''), records: lines.length, errors: errorLines.length, errorText: errorLines.join('') };
  if (summaries) res.summaries = summaries;
  return res;
}
