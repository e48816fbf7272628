import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type Tesseract from 'tesseract.js';
import { OcrError, withTimeout } from './errors.js';
import { cleanOcrText } from './text.js';

/**
 * A pool of tesseract.js workers that never touches the network (issue 7; recipe and pitfalls in
 * ../shared/notes/infra.md):
 * - traineddata comes from the npm packages `@tesseract.js-data/<lang>` in node_modules, through one
 *   private directory of symlinks used as `langPath` (`gzip: true`, `cacheMethod: 'none'`): tesseract.js
 *   fetches from a CDN whenever `langPath` is unset, and its default cache writes an uncompressed copy
 *   into the working directory that it silently prefers later;
 * - every traineddata file is checked (present, gzip) before a worker starts, because a load error
 *   leaves tesseract.js's promise unsettled; worker creation and every recognition run under a timeout;
 * - a worker that times out or fails is terminated and replaced on next use. tesseract.js's own
 *   `createScheduler` has no way to evict one hung worker, so this class dispatches jobs itself (same
 *   policy: first idle worker, FIFO queue).
 * Images are always handed over as encoded bytes (a Buffer), never as a string: tesseract.js fetches
 * strings that look like URLs.
 */

export type OcrDataVariant = 'best_int' | 'legacy';

export interface OcrEngineOptions {
  /**
   * tesseract languages joined by `+`, the first one leading (default `fas+ara+urd+eng`: reads Arabic,
   * Persian, Urdu, English and mixed cards in one pass. `ara+eng` alone reads Persian and Urdu letters
   * as Arabic ones — پ→ي, ک→ك, ی→ى: CER fa 27.5 %, ur 59.2 % against 8.9 % and 12.1 %, Arabic and
   * English 0–0.3 % either way; `npm run bench:ocr -- --grid`)
   */
  languages?: string;
  /** worker threads (default 1; 2 on a 2-core machine roughly doubles images/s) */
  workers?: number;
  /** `best_int` (LSTM only, `4.0.0_best_int/`, default) or `legacy` (`4.0.0/`, larger) */
  dataVariant?: OcrDataVariant;
  /** node_modules directory holding @tesseract.js-data (default: the one this package resolves from) */
  dataRoot?: string;
  /** time limit to start one worker (load core + traineddata), ms (default 60,000) */
  createTimeoutMs?: number;
  /** time limit for one recognition, ms, queueing excluded (default 30,000) */
  recognizeTimeoutMs?: number;
  /** tesseract page segmentation mode (default '6', one uniform block; '3', automatic, lost whole Arabic lines: CER ar 33 %) */
  pageSegMode?: string;
  /** words tesseract is less sure of than this (0–100) are dropped: emblems and borders read as `O`, `ال` (default 50) */
  minWordConfidence?: number;
  /** the resolution tesseract assumes (NFT images carry none worth trusting); 0: let it estimate. 300, 150 and 0 gave the same CER on the fixtures; 300 spares tesseract's "estimating resolution" guess (default 300) */
  dpi?: number;
}

export interface OcrRecognition {
  text: string;
  /** tesseract's mean confidence, 0–100 */
  confidence: number;
  /** Σ characters × confidence/100 over the words kept: how much text was read, and how surely (compares readings of one image) */
  support: number;
  ms: number;
}

interface Slot {
  worker: Tesseract.Worker | null;
  starting: Promise<Tesseract.Worker> | null;
  busy: boolean;
  /** set when the worker thread died or errored: replace before the next job */
  broken: boolean;
  /** fails the job in flight at once when the thread dies (instead of waiting for the timeout) */
  abort: ((e: OcrError) => void) | null;
}

interface Job {
  image: Buffer;
  resolve: (r: OcrRecognition) => void;
  reject: (e: OcrError) => void;
}

const DEFAULTS = { languages: 'fas+ara+urd+eng', workers: 1, dataVariant: 'best_int' as OcrDataVariant, createTimeoutMs: 60_000, recognizeTimeoutMs: 30_000, pageSegMode: '6', minWordConfidence: 50, dpi: 300 };
const OEM_LSTM_ONLY = 1;
const LANG_RE = /^[a-z]{3}(?:_[a-z]+)?$/;

/** Where `@tesseract.js-data/<lang>/<variant>/<lang>.traineddata.gz` lives, checked to be a gzip file. */
export function traineddataPath(lang: string, variant: OcrDataVariant = 'best_int', dataRoot?: string): string {
  if (!LANG_RE.test(lang)) throw new OcrError('ocr_unavailable', `not a tesseract language code: ${JSON.stringify(lang)}`);
  const dir = variant === 'legacy' ? '4.0.0' : '4.0.0_best_int';
  let pkgDir: string;
  if (dataRoot) pkgDir = join(dataRoot, '@tesseract.js-data', lang);
  else {
    try {
      pkgDir = dirname(createRequire(import.meta.url).resolve(`@tesseract.js-data/${lang}/package.json`));
    } catch {
      throw new OcrError('ocr_unavailable', `@tesseract.js-data/${lang} is not installed (npm install @tesseract.js-data/${lang}); raqib never downloads traineddata`);
    }
  }
  const file = join(pkgDir, dir, `${lang}.traineddata.gz`);
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    throw new OcrError('ocr_unavailable', `missing traineddata ${file} (npm install @tesseract.js-data/${lang})`);
  }
  const head = Buffer.alloc(2);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  if (size < 1024 || head[0] !== 0x1f || head[1] !== 0x8b) throw new OcrError('ocr_unavailable', `traineddata ${file} is not a gzip file`);
  return file;
}

/** The page text again, line by line, without the words tesseract is unsure of (words come in logical order). */
export function confidentText(blocks: Tesseract.Block[], minConfidence: number): string {
  const lines: string[] = [];
  for (const b of blocks) {
    for (const p of b.paragraphs ?? []) {
      for (const l of p.lines ?? []) {
        const words = (l.words ?? []).filter((w) => w.confidence >= minConfidence).map((w) => w.text.trim());
        if (words.length) lines.push(words.join(' '));
      }
    }
  }
  return lines.join('\n');
}

function supportOf(blocks: Tesseract.Block[], minConfidence: number): number {
  let s = 0;
  for (const b of blocks) for (const p of b.paragraphs ?? []) for (const l of p.lines ?? []) for (const w of l.words ?? []) {
    if (w.confidence >= minConfidence) s += ([...cleanOcrText(w.text)].filter((c) => /[\p{L}\p{N}]/u.test(c)).length * w.confidence) / 100;
  }
  return s;
}

export class OcrEngine {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private closed = false;
  private readonly langs: string[];

  private constructor(
    private readonly opts: Required<Omit<OcrEngineOptions, 'dataRoot'>>,
    private readonly langPath: string,
  ) {
    this.langs = opts.languages.split('+');
    this.slots = Array.from({ length: opts.workers }, () => ({ worker: null, starting: null, busy: false, broken: false, abort: null }));
  }

  /** Checks the traineddata, builds the private langPath and starts every worker (so errors surface here). */
  static async create(options: OcrEngineOptions = {}): Promise<OcrEngine> {
    const opts = {
      languages: options.languages ?? DEFAULTS.languages,
      workers: Math.max(1, Math.floor(options.workers ?? DEFAULTS.workers)),
      dataVariant: options.dataVariant ?? DEFAULTS.dataVariant,
      createTimeoutMs: options.createTimeoutMs ?? DEFAULTS.createTimeoutMs,
      recognizeTimeoutMs: options.recognizeTimeoutMs ?? DEFAULTS.recognizeTimeoutMs,
      pageSegMode: options.pageSegMode ?? DEFAULTS.pageSegMode,
      minWordConfidence: options.minWordConfidence ?? DEFAULTS.minWordConfidence,
      dpi: options.dpi ?? DEFAULTS.dpi,
    };
    const langs = opts.languages.split('+').filter(Boolean);
    if (langs.length === 0) throw new OcrError('ocr_unavailable', 'no OCR language given');
    const files = langs.map((l) => [l, traineddataPath(l, opts.dataVariant, options.dataRoot)] as const);
    const langPath = mkdtempSync(join(tmpdir(), 'raqib-tessdata-'));
    try {
      for (const [lang, file] of files) symlinkSync(file, join(langPath, `${lang}.traineddata.gz`));
    } catch (e) {
      rmSync(langPath, { recursive: true, force: true });
      throw new OcrError('ocr_unavailable', `cannot prepare the traineddata directory: ${(e as Error).message}`);
    }
    const engine = new OcrEngine({ ...opts, languages: langs.join('+') }, langPath);
    try {
      await Promise.all(engine.slots.map((s) => engine.ensureWorker(s)));
    } catch (e) {
      await engine.terminate();
      throw e;
    }
    return engine;
  }

  get languages(): string {
    return this.opts.languages;
  }

  get workerCount(): number {
    return this.slots.length;
  }

  /** OCR one encoded image (PNG, JPEG, PNM, …): cleaned text (bidi marks removed) and confidence. */
  recognize(image: Buffer): Promise<OcrRecognition> {
    if (this.closed) return Promise.reject(new OcrError('ocr_unavailable', 'the OCR engine was terminated'));
    return new Promise<OcrRecognition>((resolve, reject) => {
      this.queue.push({ image, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker and removes the private traineddata directory. Safe to call twice. */
  async terminate(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new OcrError('ocr_unavailable', 'the OCR engine was terminated'));
    await Promise.all(this.slots.map((s) => this.kill(s)));
    rmSync(this.langPath, { recursive: true, force: true });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.busy) continue;
      const job = this.queue.shift()!;
      slot.busy = true;
      void this.run(slot, job).finally(() => {
        slot.busy = false;
        if (!this.closed) this.dispatch();
      });
    }
  }

  private async run(slot: Slot, job: Job): Promise<void> {
    let worker: Tesseract.Worker;
    try {
      worker = await this.ensureWorker(slot);
    } catch (e) {
      job.reject(e instanceof OcrError ? e : new OcrError('ocr_unavailable', String(e)));
      return;
    }
    const t0 = performance.now();
    try {
      const filter = this.opts.minWordConfidence > 0;
      const died = new Promise<never>((_, reject) => {
        slot.abort = reject;
      });
      const recognition = Promise.race([worker.recognize(job.image, {}, { text: true, blocks: filter }), died]);
      const res = await withTimeout(recognition, this.opts.recognizeTimeoutMs, 'OCR', 'ocr_timeout', () => void this.kill(slot)).finally(() => {
        slot.abort = null;
      });
      if (slot.broken) throw new OcrError('ocr_failed', 'the OCR worker died');
      const raw = filter && res.data.blocks ? confidentText(res.data.blocks, this.opts.minWordConfidence) : (res.data.text ?? '');
      const text = cleanOcrText(raw);
      const confidence = res.data.confidence ?? 0;
      const support = filter && res.data.blocks ? supportOf(res.data.blocks, this.opts.minWordConfidence) : (text.replace(/\s/g, '').length * confidence) / 100;
      job.resolve({ text, confidence, support, ms: Math.round(performance.now() - t0) });
    } catch (e) {
      // a worker that failed or timed out is not trusted again
      await this.kill(slot);
      job.reject(e instanceof OcrError ? e : new OcrError('ocr_failed', `tesseract could not read the image: ${String(e instanceof Error ? e.message : e).slice(0, 200)}`));
    }
  }

  private ensureWorker(slot: Slot): Promise<Tesseract.Worker> {
    if (slot.worker && !slot.broken) return Promise.resolve(slot.worker);
    if (slot.worker && slot.broken) void this.kill(slot);
    if (slot.starting) return slot.starting;
    slot.starting = this.startWorker(slot).finally(() => {
      slot.starting = null;
    });
    return slot.starting;
  }

  private async startWorker(slot: Slot): Promise<Tesseract.Worker> {
    let failLoad: (e: OcrError) => void = () => {};
    const loadFailed = new Promise<never>((_, reject) => {
      failLoad = reject;
    });
    loadFailed.catch(() => {});
    let ready = false;
    // tesseract.js loads on the first image, not with every scorer
    const { createWorker } = (await import('tesseract.js')).default;
    const created = createWorker(this.langs, OEM_LSTM_ONLY, {
      langPath: this.langPath,
      gzip: true,
      cacheMethod: 'none',
      logger: () => {},
      // without an errorHandler tesseract.js throws inside a message handler and kills the process
      errorHandler: (err: unknown) => {
        if (!ready) failLoad(new OcrError('ocr_unavailable', `tesseract could not start: ${String(err).slice(0, 200)}`));
      },
    });
    let worker: Tesseract.Worker;
    try {
      worker = await withTimeout(Promise.race([created, loadFailed]), this.opts.createTimeoutMs, 'starting an OCR worker', 'ocr_unavailable');
    } catch (e) {
      // a worker that finishes starting after its time limit is stopped, not leaked
      created.then((w) => w.terminate()).catch(() => {});
      throw e;
    }
    ready = true;
    // the Node worker thread: an uncaught error there would otherwise be an unhandled 'error' event
    const thread = (worker as unknown as { worker?: NodeJS.EventEmitter }).worker;
    const died = () => {
      if (slot.worker !== worker) return;
      slot.broken = true;
      slot.abort?.(new OcrError('ocr_failed', 'the OCR worker thread died'));
    };
    thread?.on?.('error', died);
    thread?.on?.('exit', died);
    const params: Partial<Tesseract.WorkerParams> = { tessedit_pageseg_mode: this.opts.pageSegMode as Tesseract.PSM };
    if (this.opts.dpi > 0) params.user_defined_dpi = String(this.opts.dpi);
    await worker.setParameters(params);
    if (this.closed) {
      await worker.terminate();
      throw new OcrError('ocr_unavailable', 'the OCR engine was terminated');
    }
    slot.worker = worker;
    slot.broken = false;
    return worker;
  }

  private async kill(slot: Slot): Promise<void> {
    const w = slot.worker;
    slot.worker = null;
    slot.broken = false;
    if (w) {
      try {
        await w.terminate();
      } catch {
        /* already gone */
      }
    }
  }
}
