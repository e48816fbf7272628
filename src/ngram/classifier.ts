import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { BoundedCache } from '../bounded-cache.js';
import { joinParts, type ModelPart } from '../model/input.js';
import type { Label } from '../types.js';
import { forEachBucket, ngramBuckets, type NgramSpec } from './features.js';

/**
 * raqib's second model: a linear classifier over hashed character n-grams of the model text, trained by
 * scripts/train/ngram.py and shipped beside the transformer (`ngram.json`, `ngram.bin`). It reads
 * spellings the small encoder's vocabulary splits badly, costs microseconds a record, and its answer
 * is a sum of per-n-gram weights, so the words that drove it can be named exactly (`contributions`).
 *
 * Arithmetic (as the trainer's reference): logits = bias + Σ_{bucket present} w[label][bucket] / ‖idf‖,
 * where w already holds the idf, and ‖idf‖ is the L2 norm of the present buckets' idf.
 */
export interface NgramPrediction {
  labels: Record<Label, number>;
}

export interface NgramInfo {
  name: string;
  sha256: string;
}

interface NgramFile {
  format: string;
  labels: Label[];
  buckets: number;
  min_n: number;
  max_n: number;
  idf_max: number;
  scales: number[];
  bias: number[];
}

export const NGRAM_FORMAT = 'raqib-ngram/1';

/** A word of a text and how much it moved the propaganda logit against the other two labels' mean. */
export interface NgramContribution {
  /** index of the part (field) in the parts given */
  part: number;
  start: number;
  end: number;
  word: string;
  weight: number;
}

export class NgramClassifier {
  private readonly cache = new BoundedCache<string, NgramPrediction>(20_000);
  /** per bucket, the call that last counted it: distinct buckets without a set (a set and a sort cost 7× the hashing) */
  private readonly stamp: Uint32Array;
  private call = 0;

  private constructor(
    private readonly spec: NgramSpec,
    private readonly labels: Label[],
    /** per bucket, its quantised idf (0..255); idf² of a level is in idfSquared */
    private readonly idfLevel: Uint8Array,
    private readonly idfSquared: Float64Array,
    /** per label, int8 weights (idf folded in) and the scale that makes them logits */
    private readonly weights: Int8Array[],
    private readonly scales: number[],
    private readonly bias: number[],
    readonly info: NgramInfo,
  ) {
    this.stamp = new Uint32Array(spec.buckets);
  }

  /** The n-gram model of a model directory, or null when it ships none. */
  static loadIfPresent(dir: string): NgramClassifier | null {
    return existsSync(join(resolve(dir), 'ngram.json')) ? NgramClassifier.load(dir) : null;
  }

  static load(dir: string): NgramClassifier {
    const abs = resolve(dir);
    const meta = JSON.parse(readFileSync(join(abs, 'ngram.json'), 'utf8')) as NgramFile;
    if (meta.format !== NGRAM_FORMAT) throw new Error(`${join(abs, 'ngram.json')}: format ${meta.format}, this raqib reads ${NGRAM_FORMAT}`);
    const bin = readFileSync(join(abs, 'ngram.bin'));
    const nb = meta.buckets;
    const want = nb * (1 + meta.labels.length);
    if (bin.length !== want) throw new Error(`${join(abs, 'ngram.bin')}: ${bin.length} bytes, expected ${want} (idf + ${meta.labels.length} weight rows of ${nb})`);
    // the file's bytes are used in place (4 MB for 2^20 buckets), not widened to floats
    const idfLevel = new Uint8Array(bin.buffer, bin.byteOffset, nb);
    const idfSquared = new Float64Array(256).map((_, q) => (1 + (q * (meta.idf_max - 1)) / 255) ** 2);
    const weights = meta.labels.map((_, c) => new Int8Array(bin.buffer, bin.byteOffset + nb * (1 + c), nb));
    const sha256 = createHash('sha256').update(bin).digest('hex');
    return new NgramClassifier({ minN: meta.min_n, maxN: meta.max_n, buckets: nb }, meta.labels, idfLevel, idfSquared, weights, meta.scales, meta.bias, { name: `${basename(abs)}/ngram`, sha256 });
  }

  /** Label probabilities of one model text (or its parts). */
  predict(text: string | ModelPart[]): NgramPrediction {
    const s = typeof text === 'string' ? text : joinParts(text);
    return this.cache.getOrCompute(s, () => {
      if (++this.call === 0xffffffff) {
        this.stamp.fill(0);
        this.call = 1;
      }
      const call = this.call;
      const acc = new Float64Array(this.weights.length);
      let sq = 0;
      forEachBucket(s, this.spec, (j) => {
        if (this.stamp[j] === call) return;
        this.stamp[j] = call;
        sq += this.idfSquared[this.idfLevel[j]];
        for (let c = 0; c < acc.length; c++) acc[c] += this.weights[c][j];
      });
      const norm = Math.sqrt(sq) || 1;
      const z = this.weights.map((_, c) => this.bias[c] + (acc[c] * this.scales[c]) / norm);
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const sum = e.reduce((a, v) => a + v, 0);
      return { labels: Object.fromEntries(this.labels.map((l, c) => [l, e[c] / sum])) as Record<Label, number> };
    });
  }

  /** L2 norm of the present buckets' idf (the features' normaliser); 1 for a text without any. */
  private norm(buckets: number[]): number {
    let sq = 0;
    for (const j of buckets) sq += this.idfSquared[this.idfLevel[j]];
    return Math.sqrt(sq) || 1;
  }

  /**
   * The words that pushed the text towards propaganda, strongest first: each word's n-grams' share of
   * (propaganda logit − mean of the other logits), over the whole text's norm. Words of the markers are
   * skipped. A bucket shared by two words counts for the first only, as the features are binary.
   */
  contributions(parts: ModelPart[], top = 3): NgramContribution[] {
    const text = joinParts(parts);
    const norm = this.norm(ngramBuckets(text, this.spec));
    const p = this.labels.indexOf('propaganda');
    const others = this.labels.map((_, c) => c).filter((c) => c !== p);
    const counted = new Set<number>();
    const out: NgramContribution[] = [];
    parts.forEach((part, k) => {
      let at = 0;
      for (const word of part.text.split(' ')) {
        const start = at;
        at += word.length + 1;
        if (!word) continue;
        let v = 0;
        for (const j of ngramBuckets(word, this.spec)) {
          if (counted.has(j)) continue;
          counted.add(j);
          v += this.weights[p][j] * this.scales[p] - others.reduce((a, c) => a + this.weights[c][j] * this.scales[c], 0) / others.length;
        }
        if (v > 0) out.push({ part: k, start, end: start + word.length, word, weight: v / norm });
      }
    });
    return out.sort((a, b) => b.weight - a.weight).slice(0, top);
  }
}
