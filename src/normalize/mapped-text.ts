/**
 * Text that remembers where each of its UTF-16 units came from in the original string, so that a
 * match found in normalised text can be reported as an offset range into the original field.
 * Every normaliser takes a MappedText and returns a new one; offsets compose for free.
 */
export interface MappedText {
  readonly text: string;
  /** starts[i], ends[i]: the original UTF-16 range that produced unit i of `text` (end-exclusive). */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** length of the original string */
  readonly originalLength: number;
}

export function fromString(s: string): MappedText {
  const n = s.length;
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    starts[i] = i;
    ends[i] = i + 1;
  }
  return { text: s, starts, ends, originalLength: n };
}

/** Collects output units with their original ranges. */
export class MappedBuilder {
  private parts: string[] = [];
  private s: number[] = [];
  private e: number[] = [];
  constructor(private readonly originalLength: number) {}

  /** Append `out` (possibly empty, possibly several units), all produced by original [start, end). */
  push(out: string, start: number, end: number): void {
    if (out.length === 0) return;
    this.parts.push(out);
    for (let i = 0; i < out.length; i++) {
      this.s.push(start);
      this.e.push(end);
    }
  }

  /** Append units of `src` in [from, to) unchanged. */
  copy(src: MappedText, from: number, to: number): void {
    if (to <= from) return;
    this.parts.push(src.text.slice(from, to));
    for (let i = from; i < to; i++) {
      this.s.push(src.starts[i]);
      this.e.push(src.ends[i]);
    }
  }

  build(): MappedText {
    return {
      text: this.parts.join(''),
      starts: Int32Array.from(this.s),
      ends: Int32Array.from(this.e),
      originalLength: this.originalLength,
    };
  }
}

/** Original range of normalised units [start, end). */
export function originalSpan(m: MappedText, start: number, end: number): [number, number] {
  if (end <= start) {
    const at = start < m.starts.length ? m.starts[start] : m.originalLength;
    return [at, at];
  }
  let lo = m.starts[start];
  let hi = m.ends[end - 1];
  // Reordering steps never happen, but contractions can make a later unit start earlier.
  for (let i = start; i < end; i++) {
    if (m.starts[i] < lo) lo = m.starts[i];
    if (m.ends[i] > hi) hi = m.ends[i];
  }
  return [lo, hi];
}

/**
 * Rewrites a MappedText code point by code point. `fn` gets the code point string and returns its
 * replacement (may be '' to delete, or several characters). The replacement inherits the range
 * of the code point it replaces.
 */
export function mapCodePoints(m: MappedText, fn: (cp: string, index: number) => string): MappedText {
  const b = new MappedBuilder(m.originalLength);
  const t = m.text;
  let i = 0;
  while (i < t.length) {
    const c = t.codePointAt(i)!;
    const w = c > 0xffff ? 2 : 1;
    const cp = t.slice(i, i + w);
    const out = fn(cp, i);
    if (out === cp) b.copy(m, i, i + w);
    else b.push(out, m.starts[i], m.ends[i + w - 1]);
    i += w;
  }
  return b.build();
}
