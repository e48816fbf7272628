/**
 * The n-gram model's features: the buckets of a text's character n-grams. This is the specification of
 * scripts/train/ngram.py, reproduced bit for bit (test/ngram.test.ts checks it on a committed fixture):
 *
 *  - the text is the model text (`modelInput`), already normalised, with white space collapsed to U+0020;
 *  - it is split on U+0020; each word w becomes " w " and yields every run of n code points for
 *    n = minN..maxN (a padded word no longer than n yields itself once, as scikit-learn's char_wb does);
 *  - a run's bucket is CRC-32 of its UTF-8 bytes modulo the bucket count (a lone surrogate counts as
 *    U+FFFD, as TextEncoder writes it);
 *  - a text's features are the set of its buckets (binary).
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** UTF-8 bytes of one code point, appended to `out` from `at`; returns the new end. */
function utf8(cp: number, out: Uint8Array, at: number): number {
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
  if (cp < 0x80) {
    out[at++] = cp;
  } else if (cp < 0x800) {
    out[at++] = 0xc0 | (cp >> 6);
    out[at++] = 0x80 | (cp & 63);
  } else if (cp < 0x10000) {
    out[at++] = 0xe0 | (cp >> 12);
    out[at++] = 0x80 | ((cp >> 6) & 63);
    out[at++] = 0x80 | (cp & 63);
  } else {
    out[at++] = 0xf0 | (cp >> 18);
    out[at++] = 0x80 | ((cp >> 12) & 63);
    out[at++] = 0x80 | ((cp >> 6) & 63);
    out[at++] = 0x80 | (cp & 63);
  }
  return at;
}

export interface NgramSpec {
  minN: number;
  maxN: number;
  buckets: number;
}

/** CRC-32 (zlib's) of bytes[from, to). */
export function crc32(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let c = 0xffffffff;
  for (let i = from; i < to; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Calls `emit` with the bucket of every n-gram of the text (repeats included). Each word's code points
 * are encoded once; from each start position the CRC is carried forward one code point at a time, so
 * the n-grams of every length from that start cost one pass over their bytes (CRC-32 is a running
 * state: the value of a prefix is the state so far, finalised).
 */
export function forEachBucket(text: string, spec: NgramSpec, emit: (bucket: number) => void): void {
  let bytes = new Uint8Array(64);
  let starts = new Int32Array(17);
  for (const word of text.split(' ')) {
    if (!word) continue;
    // " word " as code points, each one's UTF-8 start in bytes
    if (bytes.length < (word.length + 2) * 4) bytes = new Uint8Array((word.length + 2) * 4);
    if (starts.length < word.length + 3) starts = new Int32Array(word.length + 3);
    let len = 0;
    let end = 0;
    starts[len++] = end;
    end = utf8(0x20, bytes, end);
    for (const ch of word) {
      starts[len++] = end;
      end = utf8(ch.codePointAt(0)!, bytes, end);
    }
    starts[len++] = end;
    end = utf8(0x20, bytes, end);
    starts[len] = end;
    // a padded word shorter than the smallest n counts once, whole (scikit-learn's char_wb)
    if (len < spec.minN) {
      emit(crc32(bytes, 0, end) % spec.buckets);
      continue;
    }
    for (let i = 0; i + spec.minN <= len; i++) {
      let c = 0xffffffff;
      let at = starts[i];
      const last = Math.min(spec.maxN, len - i);
      for (let n = 1; n <= last; n++) {
        for (const stop = starts[i + n]; at < stop; at++) c = CRC_TABLE[(c ^ bytes[at]) & 0xff] ^ (c >>> 8);
        if (n >= spec.minN) emit(((c ^ 0xffffffff) >>> 0) % spec.buckets);
      }
    }
  }
}

/** The sorted, distinct buckets of a text (its binary features). */
export function ngramBuckets(text: string, spec: NgramSpec): number[] {
  const seen = new Set<number>();
  forEachBucket(text, spec, (b) => seen.add(b));
  return [...seen].sort((a, b) => a - b);
}
