import type { Readable } from 'node:stream';
import type { RawRecord } from '../io/readers.js';

export interface JsonlChunk {
  bytes: Buffer;
  firstLine: number;
  /** lines in `bytes` (blank ones included) */
  lines: number;
}

/**
 * Split a JSONL byte stream into runs of whole lines without parsing them. A run is cut when it
 * reaches `maxBytes`, or when nothing more is buffered (so a slow pipe's records go out as they come,
 * as `raqib score` always did); a line longer than `maxBytes` is one run of its own.
 */
export async function* jsonlChunks(stream: Readable, opts: { minBytes?: number; maxBytes?: number } = {}): AsyncGenerator<JsonlChunk> {
  const minBytes = opts.minBytes ?? 64 * 1024;
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  let parts: Buffer[] = [];
  let size = 0;
  let line = 1;
  const take = (upto: number): JsonlChunk => {
    // the first `upto` bytes of what is pending, which end with a newline
    const all = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
    const bytes = Buffer.from(all.subarray(0, upto)); // own copy: pooled stream buffers are not kept
    const rest = all.subarray(upto);
    parts = rest.length ? [rest] : [];
    size = rest.length;
    const chunk = { bytes, firstLine: line, lines: countNewlines(bytes) };
    line += chunk.lines;
    return chunk;
  };
  for await (const data of stream) {
    const buf = typeof data === 'string' ? Buffer.from(data) : (data as Buffer);
    parts.push(buf);
    size += buf.length;
    const hasNewline = buf.indexOf(0x0a) !== -1;
    while (hasNewline && size >= maxBytes) {
      const all = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
      parts = [all];
      const cut = all.lastIndexOf(0x0a, maxBytes - 1);
      const end = cut >= 0 ? cut + 1 : all.indexOf(0x0a, maxBytes) + 1;
      if (end <= 0) break; // one long line still coming
      yield take(end);
    }
    if (hasNewline && (size >= minBytes || stream.readableLength === 0)) {
      const last = lastNewline(parts);
      if (last > 0) yield take(last);
    }
  }
  if (size > 0) {
    const chunk = take(size);
    // the input's last line has no newline: it is still one line
    if (chunk.bytes[chunk.bytes.length - 1] !== 0x0a) chunk.lines++;
    yield chunk;
  }
}

/** Offset just past the last newline in the pending parts, or 0. */
function lastNewline(parts: Buffer[]): number {
  let before = 0;
  for (const p of parts) before += p.length;
  for (let i = parts.length - 1; i >= 0; i--) {
    before -= parts[i].length;
    const nl = parts[i].lastIndexOf(0x0a);
    if (nl >= 0) return before + nl + 1;
  }
  return 0;
}

function countNewlines(b: Buffer): number {
  let n = 0;
  let i = -1;
  while ((i = b.indexOf(0x0a, i + 1)) !== -1) n++;
  return n;
}

/** Group already-parsed records (CSV, JSON documents) into tasks of `size`. */
export async function* recordChunks(records: AsyncIterable<RawRecord>, size = 128): AsyncGenerator<RawRecord[]> {
  let batch: RawRecord[] = [];
  for await (const r of records) {
    batch.push(r);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
