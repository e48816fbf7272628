import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse';
import type { Readable } from 'node:stream';

/**
 * Input readers: JSONL, a JSON array (or one object), CSV with a header. Each yields, in input
 * order, exactly one item per record: a parsed value, or an error that names the line. Bytes are
 * decoded per record, so one line of broken UTF-8 does not spoil its neighbours.
 */
export type InputFormat = 'jsonl' | 'json' | 'csv';

export type RawRecord =
  | { line: number; value: unknown; warnings: Array<{ code: string; message: string }> }
  | { line: number; error: { code: string; message: string } };

const strict = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8', { fatal: false });

export function detectFormat(path: string, explicit?: string): InputFormat {
  if (explicit) {
    if (explicit === 'jsonl' || explicit === 'json' || explicit === 'csv') return explicit;
    if (explicit === 'ndjson') return 'jsonl';
    throw new Error(`--format: expected jsonl, json or csv, got "${explicit}"`);
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.json') return 'json';
  return 'jsonl';
}

function decode(bytes: Uint8Array): { text: string; invalid: boolean } {
  try {
    return { text: strict.decode(bytes), invalid: false };
  } catch {
    return { text: lossy.decode(bytes), invalid: true };
  }
}

function parseJsonRecord(bytes: Uint8Array, line: number): RawRecord {
  const { text, invalid } = decode(bytes);
  if (invalid) {
    const bad = (text.match(/\uFFFD/g) ?? []).length;
    const letters = (text.match(/\p{L}/gu) ?? []).length;
    if (bad > letters) return { line, error: { code: 'invalid_utf8', message: `line ${line} is not UTF-8 (${bad} undecodable sequences)` } };
  }
  try {
    const value = JSON.parse(text);
    const warnings = invalid ? [{ code: 'invalid_utf8', message: `line ${line} held bytes that are not UTF-8; they were replaced with U+FFFD` }] : [];
    return { line, value, warnings };
  } catch (e) {
    return { line, error: { code: 'malformed_json', message: `line ${line}: ${(e as Error).message}` } };
  }
}

export async function* readJsonl(stream: Readable): AsyncGenerator<RawRecord> {
  let line = 0;
  let pending: Buffer[] = [];
  const flush = function* (buf: Buffer): Generator<RawRecord> {
    line++;
    let bytes = buf;
    if (bytes.length && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    if (line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    // blank lines separate nothing: they are not records
    if (bytes.length === 0 || /^\s*$/.test(bytes.toString('latin1'))) return;
    yield parseJsonRecord(bytes, line);
  };
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    let start = 0;
    let nl: number;
    while ((nl = buf.indexOf(0x0a, start)) !== -1) {
      pending.push(buf.subarray(start, nl));
      yield* flush(pending.length === 1 ? pending[0] : Buffer.concat(pending));
      pending = [];
      start = nl + 1;
    }
    if (start < buf.length) pending.push(buf.subarray(start));
  }
  if (pending.length) yield* flush(Buffer.concat(pending));
}

export async function* readJsonDocument(bytes: Buffer): AsyncGenerator<RawRecord> {
  const { text, invalid } = decode(bytes);
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    yield { line: 1, error: { code: 'malformed_json', message: `not a JSON document: ${(e as Error).message}` } };
    return;
  }
  const warnings = invalid ? [{ code: 'invalid_utf8', message: 'the file held bytes that are not UTF-8; they were replaced with U+FFFD' }] : [];
  const items = Array.isArray(doc) ? doc : [doc];
  for (let i = 0; i < items.length; i++) yield { line: i + 1, value: items[i], warnings };
}

/** CSV columns: known keys as they are; `attributes` as JSON; `attributes[Trait]` / `trait:Trait` as traits. */
export async function* readCsv(stream: Readable): AsyncGenerator<RawRecord> {
  const parser = stream.pipe(parseCsv({ columns: true, bom: true, relax_column_count: true, skip_empty_lines: true, info: true }));
  let n = 0;
  try {
    for await (const row of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      n++;
      yield { line: n, value: csvRowToRecord(row.record), warnings: [] };
    }
  } catch (e) {
    yield { line: n + 1, error: { code: 'malformed_csv', message: `record ${n + 1}: ${(e as Error).message}` } };
  }
}

function csvRowToRecord(row: Record<string, string>): Record<string, unknown> {
  const rec: Record<string, unknown> = {};
  const attrs: Array<{ trait_type: string; value: string }> = [];
  for (const [k, v] of Object.entries(row)) {
    if (v === undefined || v === '') continue;
    const trait = /^attributes\[(.+)\]$/.exec(k) ?? /^trait:(.+)$/.exec(k);
    if (trait) attrs.push({ trait_type: trait[1], value: v });
    else if ((k === 'attributes' || k === 'properties' || k === 'localization') && /^[\[{]/.test(v.trim())) {
      try {
        rec[k] = JSON.parse(v);
      } catch {
        rec[k] = v;
      }
    } else rec[k] = v;
  }
  if (attrs.length) rec.attributes = [...((Array.isArray(rec.attributes) ? rec.attributes : []) as unknown[]), ...attrs];
  return rec;
}

/** Records of one input (`-` is stdin). */
export async function* readRecords(path: string, format?: string, stdin: Readable = process.stdin): AsyncGenerator<RawRecord> {
  const fmt = detectFormat(path === '-' ? '' : path, format);
  const open = () => (path === '-' ? stdin : createReadStream(path));
  if (fmt === 'jsonl') yield* readJsonl(open());
  else if (fmt === 'csv') yield* readCsv(open());
  else {
    const chunks: Buffer[] = [];
    for await (const c of open()) chunks.push(c as Buffer);
    yield* readJsonDocument(Buffer.concat(chunks));
  }
}
