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
  private text = '';
  private s: Int32Array;
  private e: Int32Array;
  private n = 0;
  constructor(private readonly originalLength: number, capacity = originalLength + 8) {
    this.s = new Int32Array(capacity);
    this.e = new Int32Array(capacity);
  }

  private reserve(k: number): void {
    if (this.n + k <= this.s.length) return;
    const cap = Math.max(this.s.length * 2, this.n + k);
    const s = new Int32Array(cap);
    const e = new Int32Array(cap);
    s.set(this.s.subarray(0, this.n));
    e.set(this.e.subarray(0, this.n));
    this.s = s;
    this.e = e;
  }

  /** Append `out` (possibly empty, possibly several units), all produced by original [start, end). */
  push(out: string, start: number, end: number): void {
    if (out.length === 0) return;
    this.reserve(out.length);
    this.text += out;
    this.s.fill(start, this.n, this.n + out.length);
    this.e.fill(end, this.n, this.n + out.length);
    this.n += out.length;
  }

  /** Append units of `src` in [from, to) unchanged. */
  copy(src: MappedText, from: number, to: number): void {
    if (to <= from) return;
    this.reserve(to - from);
    this.text += src.text.slice(from, to);
    this.s.set(src.starts.subarray(from, to), this.n);
    this.e.set(src.ends.subarray(from, to), this.n);
    this.n += to - from;
  }

  build(): MappedText {
    return { text: this.text, starts: this.s.slice(0, this.n), ends: this.e.slice(0, this.n), originalLength: this.originalLength };
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
  const t = m.text;
  let b: MappedBuilder | null = null;
  // unchanged runs are copied in one piece; with no change at all nothing is copied
  let runStart = 0;
  let i = 0;
  while (i < t.length) {
    const c = t.charCodeAt(i);
    const w = c >= 0xd800 && c <= 0xdbff && i + 1 < t.length ? 2 : 1;
    const cp = w === 1 ? t[i] : t.slice(i, i + w);
    const out = fn(cp, i);
    if (out !== cp) {
      b ??= new MappedBuilder(m.originalLength, t.length + 8);
      b.copy(m, runStart, i);
      b.push(out, m.starts[i], m.ends[i + w - 1]);
      runStart = i + w;
    }
    i += w;
  }
  if (!b) return m;
  b.copy(m, runStart, t.length);
  return b.build();
}
