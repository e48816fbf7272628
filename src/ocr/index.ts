import { existsSync, statSync } from 'node:fs';
import { svgFromDataUri, svgText } from '../adapter/svg.js';
import type { Warning } from '../types.js';
import { OcrEngine, type OcrEngineOptions, type OcrRecognition } from './engine.js';
import { asOcrError, OcrError, type OcrErrorInfo } from './errors.js';
import { DEFAULT_LIMITS, DEFAULT_PREPROCESS, prepareImage, sanitizeSvg, sniffImage, type ImageLimits, type PreprocessOptions } from './image.js';
import { gatewayUrl, resolveImage, type ResolveOptions } from './resolve.js';
import { cleanOcrText } from './text.js';

/**
 * OCR of NFT images (issue 7): `ocrRecord(record, options)` reads the record's `image`, `image_url`
 * and `animation_url`, fetches each only where the security rules allow (resolve.ts), and returns the
 * text to score as the field `image_ocr`, or an error object. It never throws, and every step has a
 * size, pixel or time limit. `withOcrText` turns that into a record + warnings for the scorer.
 *
 * Integration (for src/scorer.ts and src/cli/main.ts; this module edits neither):
 *
 *   // ScorerOptions
 *   ocr?: OcrScorerOptions;          // { imageRoot?, ipfsGateway?, ipfsDir?, workers?, languages?, limits? }
 *   // createScorer(): once, before the first record (fails fast: ocr_unavailable → setup error)
 *   const ocr = options.ocr ? { ...options.ocr, engine: await OcrEngine.create({ workers: options.ocr.workers, languages: options.ocr.languages }) } : null;
 *   // RaqibScorer.scoreBatch(items), first line: OCR the batch concurrently (the engine queues jobs)
 *   if (this.ocr) items = await Promise.all(items.map(async (it) => {
 *     const o = await withOcrText(it.record, this.ocr!);
 *     return { record: o.record, ctx: { ...it.ctx, warnings: [...(it.ctx?.warnings ?? []), ...o.warnings] } };
 *   }));
 *   // close(): await this.ocr?.engine.terminate();
 *
 *   CLI: `raqib score --ocr [--image-root DIR] [--ipfs-gateway URL|DIR] [--ocr-workers N]`
 *   → createScorer({ …, ocr: ocrOptionsFromCli({ imageRoot, ipfsGateway, workers }) }); an OcrError
 *   from it or from createScorer is a setup error (exit 2); --image-root or --ipfs-gateway without
 *   --ocr is a usage error. Image failures are per-record warnings (code = the OcrErrorCode, field =
 *   the image key), never error records; a record whose only content was an unreadable image stays
 *   the `no_text` error record (append the OCR error's message to it).
 *
 *   package.json scripts: "bench:ocr": "npm run build && node dist/scripts/bench-ocr.js",
 *                         "fixtures:ocr": "/usr/bin/python3 scripts/make-ocr-fixtures.py"
 *
 * README section (under "Command line"):
 *
 *   ### Reading the image (`--ocr`)
 *   `raqib score --ocr --image-root DIR [--ipfs-gateway URL]` also reads the text in each record's
 *   `image`, `image_url` and `animation_url` (PNG, JPEG, WebP, GIF, TIFF; SVG text nodes directly) with
 *   tesseract.js and scores it as the field `image_ocr`, with evidence offsets into the OCR text.
 *   Arabic, Persian, Urdu and English (and mixed cards) are read in one pass; traineddata comes from
 *   the `@tesseract.js-data/*` npm packages — nothing is downloaded, ever. Metadata is untrusted:
 *   local paths are read only under `--image-root` (no `..`, no absolute paths elsewhere, no symlink
 *   out); `data:` URIs are read inline; `ipfs://CID/path` from `DIR/CID/path` under the image root,
 *   else from the one gateway you name; `http(s)` images only from that gateway's host. Without a
 *   gateway raqib opens no socket. Images over 20 MiB, 50 megapixels or 20,000 px a side, truncated
 *   files, non-images, SVGs with DOCTYPEs, and reads over the time limits become warnings
 *   (`image_too_large`, `image_too_many_pixels`, `image_decode_failed`, `image_unsupported_type`,
 *   `image_svg_refused`, `ocr_timeout`, `image_path_refused`, `image_remote_refused`, …) on that
 *   record's result. Measured character error rate and speed: `npm run bench:ocr`.
 */

export { OcrEngine, traineddataPath, type OcrEngineOptions, type OcrRecognition } from './engine.js';
export { OcrError, type OcrErrorCode, type OcrErrorInfo } from './errors.js';
export { DEFAULT_LIMITS, DEFAULT_PREPROCESS, NO_PREPROCESS, prepareImage, sniffImage, type ImageLimits, type PreprocessOptions } from './image.js';
export { gatewayUrl, resolveImage, type ResolveOptions } from './resolve.js';
export { characterErrorRate, cleanOcrText } from './text.js';

export const IMAGE_FIELDS = ['image', 'image_url', 'animation_url'] as const;

export interface OcrRecordOptions extends Omit<ResolveOptions, 'limits'> {
  /** a started engine, shared by every record (create once: OcrEngine.create()) */
  engine: OcrEngine;
  /** size, pixel and time limits (defaults: DEFAULT_LIMITS) */
  limits?: Partial<ImageLimits>;
  /** preprocessing (defaults: DEFAULT_PREPROCESS, chosen by measurement) */
  preprocess?: Partial<PreprocessOptions>;
  /**
   * SVG images: `text` (default) reads their <text>/<tspan>/<title>/<desc> directly and renders +
   * OCRs only an SVG with no text (lettering drawn as paths); `render` always renders and OCRs;
   * `both` does both. Rendering names no external resource: see sanitizeSvg.
   */
  svg?: 'text' | 'render' | 'both';
  /** the record keys holding image references, in order (default image, image_url, animation_url) */
  fields?: readonly string[];
  /** at most this many distinct images per record (default 3) */
  maxImages?: number;
}

export interface OcrImageReport {
  field: string;
  source: string;
  method: 'ocr' | 'svg_text';
  chars: number;
  /** tesseract's mean confidence (0–100), for method ocr */
  confidence?: number;
  ms: number;
}

export interface OcrRecordResult {
  /** the text read from the record's images (several images joined by newlines); absent when none */
  text?: string;
  /** the first failure (with `field`: the key the image came from); other failures in `errors` */
  error?: OcrErrorInfo;
  errors?: OcrErrorInfo[];
  /** what was read from where */
  images?: OcrImageReport[];
}

// animation_url usually points at video, audio, 3-D models or HTML: not images, skipped without reading
const NON_IMAGE_EXT = /\.(mp4|m4v|mov|webm|mkv|avi|mp3|wav|ogg|oga|flac|m4a|glb|gltf|usdz|html?|js|json|pdf|zip)(?:[?#].*)?$/i;

/**
 * OCR one record's images. Returns `{}` when the record names no image raqib may read (or the image
 * holds no text), `{text}` on success, `{error}` (and maybe `{text}` from another image) on failure.
 */
export async function ocrRecord(record: unknown, options: OcrRecordOptions): Promise<OcrRecordResult> {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return {};
  const r = record as Record<string, unknown>;
  const limits: ImageLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const pre: PreprocessOptions = { ...DEFAULT_PREPROCESS, ...options.preprocess };
  const svgMode = options.svg ?? 'text';
  const seen = new Set<string>();
  const texts: string[] = [];
  const errors: OcrErrorInfo[] = [];
  const images: OcrImageReport[] = [];
  for (const field of options.fields ?? IMAGE_FIELDS) {
    const v = r[field];
    if (typeof v !== 'string' || v.trim() === '') continue;
    const ref = v.trim();
    if (seen.has(ref)) continue;
    if (seen.size >= (options.maxImages ?? 3)) break;
    seen.add(ref);
    if (field === 'animation_url' && !ref.startsWith('data:') && NON_IMAGE_EXT.test(ref)) continue;
    // an SVG data: URI in image/image_url: the adapter already scores its text as image_data.text
    if (svgMode === 'text' && field !== 'animation_url' && /^data:image\/svg\+xml/i.test(ref)) {
      const src = svgFromDataUri(ref);
      if (src && !/<!DOCTYPE|<!ENTITY/i.test(src) && svgText(src).trim()) continue;
    }
    const t0 = performance.now();
    try {
      const got = await resolveImage(ref, { ...options, limits });
      const kind = sniffImage(got.bytes);
      if (!kind) {
        if (field === 'animation_url') continue; // video or HTML behind an extension-less link
        throw new OcrError('image_unsupported_type', `${got.source} is not an image raqib reads (PNG, JPEG, WebP, GIF, TIFF, SVG)`);
      }
      if (kind === 'svg' && svgMode !== 'render') {
        const text = cleanOcrText(svgText(sanitizeSvg(got.bytes.toString('utf8'), limits)));
        if (text) {
          texts.push(text);
          images.push({ field, source: got.source, method: 'svg_text', chars: text.length, ms: ms(t0) });
        }
        if (text && svgMode === 'text') continue;
      }
      const rec = await readImage(got.bytes, options.engine, pre, limits);
      if (rec.text) texts.push(rec.text);
      images.push({ field, source: got.source, method: 'ocr', chars: rec.text.length, confidence: Math.round(rec.confidence), ms: ms(t0) });
    } catch (e) {
      errors.push(asOcrError(e, 'ocr_failed', field).toJSON());
    }
  }
  const out: OcrRecordResult = {};
  const unique = [...new Set(texts.filter(Boolean))];
  if (unique.length) out.text = unique.join('\n');
  if (errors.length) {
    out.error = errors[0];
    if (errors.length > 1) out.errors = errors;
  }
  if (images.length) out.images = images;
  return out;
}

/**
 * Decode, preprocess and OCR one image's bytes: every scale of `pre` is read (in parallel: a pool of
 * two workers reads two scales at once) and the reading with the most confidently read characters wins.
 */
export async function readImage(bytes: Buffer, engine: OcrEngine, pre: PreprocessOptions = DEFAULT_PREPROCESS, limits: ImageLimits = DEFAULT_LIMITS): Promise<OcrRecognition> {
  const prepared = await prepareImage(bytes, pre, limits);
  const readings = await Promise.all(prepared.variants.map((v) => engine.recognize(v.png)));
  return readings.reduce((a, b) => (b.support > a.support ? b : a));
}

function ms(t0: number): number {
  return Math.round(performance.now() - t0);
}

/** What the scorer needs: the engine options and where images may be read from. */
export interface OcrScorerOptions extends Omit<OcrRecordOptions, 'engine'> {
  /** OCR worker threads (default 1; 2 on two cores) */
  workers?: number;
  /** tesseract languages (default fas+ara+urd+eng) */
  languages?: OcrEngineOptions['languages'];
}

/**
 * The CLI flags → OcrScorerOptions, checked: `--image-root` must be a directory; `--ipfs-gateway` is an
 * http(s) URL (the only host ever contacted) or a local directory holding `<cid>/<path>`.
 * Throws OcrError (a setup error: exit 2).
 */
export function ocrOptionsFromCli(flags: { imageRoot?: string; ipfsGateway?: string; workers?: number; languages?: string }): OcrScorerOptions {
  const out: OcrScorerOptions = {};
  const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
  if (flags.imageRoot !== undefined) {
    if (!isDir(flags.imageRoot)) throw new OcrError('image_root_required', `--image-root ${flags.imageRoot} is not a directory`);
    out.imageRoot = flags.imageRoot;
  }
  if (flags.ipfsGateway !== undefined) {
    if (/^https?:\/\//i.test(flags.ipfsGateway)) out.ipfsGateway = gatewayUrl(flags.ipfsGateway).href;
    else if (isDir(flags.ipfsGateway)) out.ipfsDir = flags.ipfsGateway;
    else throw new OcrError('image_unsupported_ref', `--ipfs-gateway ${flags.ipfsGateway} is neither an http(s) URL nor a directory`);
  }
  if (flags.workers !== undefined) {
    if (!Number.isInteger(flags.workers) || flags.workers < 1 || flags.workers > 64) throw new OcrError('ocr_unavailable', `--ocr-workers must be an integer from 1 to 64`);
    out.workers = flags.workers;
  }
  if (flags.languages !== undefined) out.languages = flags.languages;
  return out;
}

const OCR_KEYS = ['image_ocr', 'ocr_text', 'ocr'];

/**
 * OCR a record and return it ready for the scorer: the OCR text added to the field path `image_ocr`
 * (appended, after a newline, to an `image_ocr` / `ocr_text` / `ocr` string the record already has, so
 * the adapter reads both), and every image failure as a warning `{code, message, field}`. The input
 * record is not modified. Non-objects are returned as they are.
 */
export async function withOcrText(record: unknown, options: OcrRecordOptions): Promise<{ record: unknown; warnings: Warning[]; ocr: OcrRecordResult }> {
  const ocr = await ocrRecord(record, options);
  const warnings: Warning[] = (ocr.errors ?? (ocr.error ? [ocr.error] : [])).map((e) => ({ code: e.code, message: `image not read: ${e.message}`, ...(e.field ? { field: e.field } : {}) }));
  if (!ocr.text || record === null || typeof record !== 'object' || Array.isArray(record)) return { record, warnings, ocr };
  const r = record as Record<string, unknown>;
  // the adapter reads the first of image_ocr, ocr_text, ocr that is present
  const key = OCR_KEYS.find((k) => r[k] !== undefined);
  const existing = key !== undefined && typeof r[key] === 'string' && (r[key] as string).trim() ? (r[key] as string) : undefined;
  const out = key !== undefined && existing !== undefined ? { ...r, [key]: `${existing}\n${ocr.text}` } : { ...r, image_ocr: ocr.text };
  return { record: out, warnings, ocr };
}
