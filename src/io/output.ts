import { once } from 'node:events';
import type { WriteStream } from 'node:fs';

/** Respect backpressure so a huge input never piles up in memory. */
export async function write(stream: NodeJS.WritableStream, s: string): Promise<void> {
  if (!stream.write(s)) await once(stream, 'drain');
}

export function closeStream(s: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => s.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** Progress on stderr, only for a terminal, at most a few times a second. */
export class Progress {
  private last = 0;
  private readonly t0 = Date.now();
  tick(n: number, errors: number): void {
    const now = Date.now();
    if (now - this.last < 250) return;
    this.last = now;
    process.stderr.write(`\r${n} records, ${errors} errors, ${Math.round(n / ((now - this.t0) / 1000 || 1))}/s `);
  }
  done(n: number, errors: number): void {
    process.stderr.write(`\r${n} records, ${errors} errors, ${((Date.now() - this.t0) / 1000).toFixed(1)} s\n`);
  }
}
