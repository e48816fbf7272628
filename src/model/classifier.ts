import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { AutoModelForSequenceClassification, AutoTokenizer, env, Tensor, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { BoundedCache } from '../bounded-cache.js';
import { PROPAGANDA_CATEGORIES, type PropagandaCategory } from '../lexicon/types.js';
import { DEFAULT_MODEL_DIR } from './location.js';
import type { CategoryMap, Label } from '../types.js';
import { joinParts, type ModelPart } from './input.js';

/**
 * raqib's transformer, run with transformers.js from a local Hugging Face-layout directory. Nothing is
 * ever fetched: remote models are disabled before loading. The model reads the text built by
 * `modelInput()` and answers 9 logits: the three labels (softmax, with the calibration temperature
 * fitted on dev) and the six propaganda categories (sigmoid).
 *
 * Long inputs are windowed, not cut: a text longer than the model's 128 tokens is read in overlapping
 * windows and the window with the highest propaganda probability speaks for it (`window` says which).
 */
export interface ModelPrediction {
  labels: Record<Label, number>;
  categories: CategoryMap<number>;
  /** which window of the input gave this answer (0 for short inputs) */
  window: number;
  windows: number;
}

export interface ModelInfo {
  name: string;
  sha256: string;
  dtype: 'fp32' | 'q8';
  maxLength: number;
}

const LABELS: Label[] = ['propaganda', 'about_extremism', 'benign'];
const OVERLAP = 32;

/** What the model reads: a model text, or the same text as field parts (see modelParts). */
export type ModelText = string | ModelPart[];

/** What the scorer needs of a transformer: ModelClassifier in the calling thread, or ModelThread. */
export interface TextClassifier {
  readonly info: ModelInfo;
  /** one prediction per text, in order; `calibrated: false` gives the raw softmax */
  classify(texts: ModelText[], batchSize?: number, calibrated?: boolean): Promise<ModelPrediction[]>;
  dispose(): Promise<void>;
}

export class ModelClassifier implements TextClassifier {
  private constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: PreTrainedModel,
    readonly info: ModelInfo,
    private readonly temperature: number,
    private readonly clsId: number,
    private readonly sepId: number,
    private readonly padId: number,
  ) {}

  /** token ids of words, without special tokens (a pure function of the word) */
  private readonly tokenCache = new BoundedCache<string, number[]>(50_000);

  /** `threads`: onnxruntime's intra-op threads (default: its own choice, one per core) */
  static async load(dir: string = DEFAULT_MODEL_DIR(), dtype: 'fp32' | 'q8' = 'q8', threads?: number): Promise<ModelClassifier> {
    const abs = resolve(dir);
    const file = join(abs, 'onnx', dtype === 'q8' ? 'model_quantized.onnx' : 'model.onnx');
    if (!existsSync(join(abs, 'config.json')) || !existsSync(file)) {
      throw new Error(`no model at ${abs} (need config.json and ${file.slice(abs.length + 1)})`);
    }
    // transformers.js resolves models under env.localModelPath; nothing may come from a hub
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = `${dirname(abs)}/`;
    const id = basename(abs);
    const tokenizer = await AutoTokenizer.from_pretrained(id);
    const model = await AutoModelForSequenceClassification.from_pretrained(id, { dtype, ...(threads ? { session_options: { intraOpNumThreads: threads } } : {}) });
    const config = JSON.parse(readFileSync(join(abs, 'config.json'), 'utf8')) as { max_length?: number; max_position_embeddings?: number; _name_or_path?: string; raqib?: { name?: string } };
    const calib = existsSync(join(abs, 'calibration.json')) ? (JSON.parse(readFileSync(join(abs, 'calibration.json'), 'utf8')) as { temperature?: number }) : {};
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
    // special-token ids from tokenizer.json itself (transformers.js keeps its vocabulary private)
    const added = (JSON.parse(readFileSync(join(abs, 'tokenizer.json'), 'utf8')) as { added_tokens?: Array<{ id: number; content: string }> }).added_tokens ?? [];
    const vocab = new Map(added.map((t) => [t.content, t.id]));
    return new ModelClassifier(
      tokenizer,
      model,
      { name: config.raqib?.name ?? id, sha256, dtype, maxLength: config.max_length ?? config.max_position_embeddings ?? 128 },
      calib.temperature ?? 1,
      vocab.get('[CLS]') ?? 2,
      vocab.get('[SEP]') ?? 3,
      vocab.get('[PAD]') ?? 0,
    );
  }

  /** Token ids of a text without special tokens. */
  private ids(text: string): number[] {
    const enc = this.tokenizer(text, { add_special_tokens: false }) as { input_ids: Tensor };
    return Array.from(enc.input_ids.data as BigInt64Array, (x) => Number(x));
  }

  /**
   * Token ids of one field text. No vocabulary piece holds "▁" (a space) after its first character, so
   * the tokenizer's segmentation restarts at every space: a text's ids are its words' ids in a row.
   * Words repeat across a catalogue far more than whole fields do, so each distinct word is tokenized
   * once (bounded cache); the joined ids equal the tokenizer's on the whole text (see compositional()).
   */
  private partIds(text: string): number[] {
    const out: number[] = [];
    for (const word of text.split(' ')) {
      if (!word) continue;
      for (const id of this.tokenCache.getOrCompute(word, () => this.ids(word))) out.push(id);
    }
    return out;
  }

  /**
   * Token ids of a model text without special tokens. The tokenizer splits at spaces (Metaspace, and
   * no vocabulary piece holds a space inside it), so a parts list encodes to exactly the ids of its
   * joined string while each field text is tokenized once. `compositional` is checked once per model
   * on a probe (a swapped-in tokenizer may not split at spaces); test/model.test.ts checks the shipped
   * one on the whole corpus.
   */
  encode(input: ModelText): number[] {
    if (typeof input === 'string') return this.ids(input);
    if (!this.compositional()) return this.ids(joinParts(input));
    const out: number[] = [];
    for (const p of input) {
      for (const id of this.partIds(p.marker)) out.push(id);
      for (const id of this.partIds(p.text)) out.push(id);
    }
    return out;
  }

  private splitsAtSpaces: boolean | undefined;
  private compositional(): boolean {
    if (this.splitsAtSpaces === undefined) {
      const parts: ModelPart[] = [
        { marker: '[T]', text: 'raqib probe title' },
        { marker: '[D]', text: 'وصف قصير 123 ٤٥ \u0085x ▁y z▁ 1,000.5 🦁🦁 ' },
        { marker: '[A]', text: 'trait: value' },
      ];
      const joined = this.ids(joinParts(parts)).join(',');
      const pieces = parts.flatMap((p) => [...this.partIds(p.marker), ...this.partIds(p.text)]).join(',');
      this.splitsAtSpaces = joined === pieces;
    }
    return this.splitsAtSpaces;
  }

  /** Windows of at most maxLength tokens (specials included), overlapping by OVERLAP tokens. */
  windows(input: ModelText): number[][] {
    const ids = this.encode(input);
    const room = this.info.maxLength - 2;
    const out: number[][] = [];
    if (ids.length <= room) return [[this.clsId, ...ids, this.sepId]];
    for (let start = 0; ; start += room - OVERLAP) {
      out.push([this.clsId, ...ids.slice(start, start + room), this.sepId]);
      if (start + room >= ids.length) break;
    }
    return out;
  }

  /** `calibrated: false` gives the raw softmax (temperature 1), as the exported graph computes it. */
  async classify(texts: ModelText[], batchSize = 32, calibrated = true): Promise<ModelPrediction[]> {
    // sorted by length, so a batch pads little; rows never see each other, so order cannot change a score
    const jobs = texts
      .flatMap((t, i) => this.windows(t).map((w, k, all) => ({ record: i, window: k, windows: all.length, ids: w })))
      .sort((a, b) => a.ids.length - b.ids.length);
    const results: Array<{ record: number; window: number; windows: number; logits: number[] }> = [];
    for (let b = 0; b < jobs.length; b += batchSize) {
      const batch = jobs.slice(b, b + batchSize);
      const len = Math.max(...batch.map((j) => j.ids.length));
      const ids = new BigInt64Array(batch.length * len);
      const mask = new BigInt64Array(batch.length * len);
      batch.forEach((j, r) => {
        ids.fill(BigInt(this.padId), r * len, (r + 1) * len);
        j.ids.forEach((x, c) => {
          ids[r * len + c] = BigInt(x);
          mask[r * len + c] = 1n;
        });
      });
      const dims = [batch.length, len];
      const out = (await this.model({
        input_ids: new Tensor('int64', ids, dims),
        attention_mask: new Tensor('int64', mask, dims),
        token_type_ids: new Tensor('int64', new BigInt64Array(batch.length * len), dims),
      })) as { logits: Tensor };
      const data = out.logits.data as Float32Array;
      const width = out.logits.dims[1];
      batch.forEach((j, r) => results.push({ ...j, logits: Array.from(data.subarray(r * width, (r + 1) * width)) }));
    }
    const best: ModelPrediction[] = texts.map(() => ({ labels: { propaganda: 0, about_extremism: 0, benign: 1 }, categories: zeroCategories(), window: 0, windows: 0 }));
    const seen = new Set<number>();
    for (const r of results) {
      const p = this.decode(r.logits, calibrated ? this.temperature : 1);
      const cur = best[r.record];
      if (!seen.has(r.record) || p.labels.propaganda > cur.labels.propaganda) {
        best[r.record] = { ...p, window: r.window, windows: r.windows };
        seen.add(r.record);
      }
    }
    return best;
  }

  private decode(logits: number[], temperature: number): Omit<ModelPrediction, 'window' | 'windows'> {
    const z = logits.slice(0, 3).map((x) => x / temperature);
    const m = Math.max(...z);
    const e = z.map((x) => Math.exp(x - m));
    const s = e.reduce((a, b) => a + b, 0);
    const labels = Object.fromEntries(LABELS.map((l, i) => [l, e[i] / s])) as Record<Label, number>;
    const categories = zeroCategories();
    PROPAGANDA_CATEGORIES.forEach((c: PropagandaCategory, i) => (categories[c] = 1 / (1 + Math.exp(-logits[3 + i]))));
    return { labels, categories };
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

function zeroCategories(): CategoryMap<number> {
  return { glorification: 0, recruitment: 0, fundraising: 0, instructional: 0, branding: 0, threat: 0 };
}
