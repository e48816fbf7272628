import { closeSync, existsSync, fstatSync, openSync, readSync, ftruncateSync, createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { OutputRecord } from '../types.js';
import { isOutputRecord } from './aggregate.js';
import { KeyMultiset } from './keys.js';

/**
 * --resume: what an earlier, interrupted run already wrote. The output file is read once: a torn last
 * line (the job was killed mid-write) is cut off, and every complete line's key is remembered — its
 * record id, or for an error record without one (an unparseable line, a non-object) its position in
 * the output, which is its position in the input because output is written in input order.
 */
export interface ResumeState {
  done: KeyMultiset;
  /** complete output lines kept */
  records: number;
  /** error records among them */
  errors: number;
  /** bytes of torn last line cut off */
  truncated: number;
}

export const positionKey = (ordinal: number): string => `\u0000#${ordinal}`;

export async function readResumeState(path: string, onRecord?: (rec: OutputRecord, line: string) => void | Promise<void>): Promise<ResumeState> {
  const done = new KeyMultiset();
  const state: ResumeState = { done, records: 0, errors: 0, truncated: 0 };
  if (!existsSync(path)) return state;
  state.truncated = truncateTornLine(path);
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    n++;
    if (!line) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      rec = null;
    }
    if (!isOutputRecord(rec)) throw new Error(`--resume: line ${n} of ${path} is not a raqib output record; is this the right --out file?`);
    done.add(typeof (rec as { id?: unknown }).id === 'string' ? (rec as { id: string }).id : positionKey(state.records));
    state.records++;
    if ('error' in rec) state.errors++;
    await onRecord?.(rec, line);
  }
  return state;
}

/** Cut the file after its last newline; returns how many bytes went. */
export function truncateTornLine(path: string): number {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - buf.length);
      const n = readSync(fd, buf, 0, end - start, start);
      const nl = buf.subarray(0, n).lastIndexOf(0x0a);
      if (nl >= 0) {
        const keep = start + nl + 1;
        if (keep < size) ftruncateSync(fd, keep);
        return size - keep;
      }
      end = start;
    }
    if (size > 0) ftruncateSync(fd, 0);
    return size;
  } finally {
    closeSync(fd);
  }
}
