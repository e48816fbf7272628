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
 * The sorted, distinct buckets of a text. Each word's code points are encoded once; an n-gram's bytes
 * are then a slice of the word's bytes.
 */
export function ngramBuckets(text: string, spec: NgramSpec): number[] {
  const seen = new Set<number>();
  let bytes = new Uint8Array(64);
  for (const word of text.split(' ')) {
    if (!word) continue;
    const cps = [0x20];
    for (const ch of word) cps.push(ch.codePointAt(0)!);
    cps.push(0x20);
    if (bytes.length < cps.length * 4) bytes = new Uint8Array(cps.length * 4);
    // starts[i] is where code point i begins in bytes; starts[len] is the end
    const starts = new Array<number>(cps.length + 1);
    let end = 0;
    for (let i = 0; i < cps.length; i++) {
      starts[i] = end;
      end = utf8(cps[i], bytes, end);
    }
    starts[cps.length] = end;
    const len = cps.length;
    for (let n = spec.minN; n <= spec.maxN; n++) {
      if (len <= n) {
        seen.add(crc32(bytes, 0, end) % spec.buckets);
        break;
      }
      for (let i = 0; i + n <= len; i++) seen.add(crc32(bytes, starts[i], starts[i + n]) % spec.buckets);
    }
  }
  return [...seen].sort((a, b) => a - b);
}
